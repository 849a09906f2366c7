package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/citylens/citylens/internal/training"
)

// Training's files: course materials and submissions, in chunks (256 KiB
// rows, read one query each so a download holds one chunk), as the
// prize's attachments and the follow-up's evidence files.

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateTrainingFile implements training.FileStore.
func (db *Store) CreateTrainingFile(ctx context.Context, f training.File) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO training_files (id, course_id, assignment_id, user_id, name, type, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, f.ID, nullID(f.CourseID), nullID(f.AssignmentID), nullID(f.UserID), f.Name, f.Type, f.Size,
		f.SHA256, us(f.CreatedAt))
	return db.dbError(ctx, "training file", err)
}

// PutTrainingFileChunk implements training.FileStore.
func (db *Store) PutTrainingFileChunk(ctx context.Context, id string, seq int, data []byte) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO training_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`, id, seq, data)
	return db.dbError(ctx, "training file chunk", err)
}

// FinishTrainingFile implements training.FileStore.
func (db *Store) FinishTrainingFile(ctx context.Context, id string, size int64, sha string) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE training_files SET size = $2, sha256 = $3 WHERE id = $1`, id, size, sha)
	if err != nil {
		return db.dbError(ctx, "training file", err)
	}
	return db.rowsAffected(ctx, res, "training file %s not found", id)
}

// TrainingFile implements training.FileStore.
func (db *Store) TrainingFile(ctx context.Context, id string) (training.File, error) {
	var f training.File
	var created int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT id, COALESCE(course_id, 0), COALESCE(assignment_id, 0), COALESCE(user_id, 0), name, type,
		size, sha256, created_at FROM training_files WHERE id = $1`, id).
		Scan(&f.ID, &f.CourseID, &f.AssignmentID, &f.UserID, &f.Name, &f.Type, &f.Size, &f.SHA256, &created)
	f.CreatedAt = tm(created)
	return f, db.dbError(ctx, "training file", notFound(err, "training file %s not found", id))
}

// TrainingFileChunks implements training.FileStore.
func (db *Store) TrainingFileChunks(ctx context.Context, id string, fn func([]byte) error) error {
	for seq := 0; ; seq++ {
		var data []byte
		err := db.reader(ctx).QueryRowContext(ctx, `SELECT data FROM training_file_chunks WHERE file_id = $1 AND seq = $2`, id, seq).Scan(&data)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return db.dbError(ctx, "training file chunk", err)
		}
		if err := fn(data); err != nil {
			return err
		}
	}
}

// DeleteTrainingFile implements training.FileStore: its chunks and its
// record, in one transaction.
func (db *Store) DeleteTrainingFile(ctx context.Context, id string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM training_file_chunks WHERE file_id = $1`, id); err != nil {
			return db.dbError(ctx, "training file", err)
		}
		res, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM training_files WHERE id = $1`, id)
		if err != nil {
			return db.dbError(ctx, "training file", err)
		}
		return db.rowsAffected(ctx, res, "training file %s not found", id)
	})
}

// SetCourseMaterials implements training.FileStore.
func (db *Store) SetCourseMaterials(ctx context.Context, courseID int64, ms []training.Material) error {
	if ms == nil {
		ms = []training.Material{}
	}
	b, err := json.Marshal(ms)
	if err != nil {
		return err
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE training_courses SET materials_json = $2 WHERE id = $1`, courseID, string(b))
	if err != nil {
		return db.dbError(ctx, "training course", err)
	}
	return db.rowsAffected(ctx, res, "course %d not found", courseID)
}
