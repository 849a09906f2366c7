package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/training"
)

// Training's files: course materials and submissions, kept as the prize's
// attachments and the follow-up's evidence files (see files.go).

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddTrainingFile implements training.FileStore: the record of f (size
// and SHA-256 from t) with the bytes of t (finished), in the transaction
// of ctx (see files.go).
func (db *Store) AddTrainingFile(ctx context.Context, f training.File, t *blobs.Temp) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO training_files (id, course_id, assignment_id, user_id, name, type, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, f.ID, nullID(f.CourseID), nullID(f.AssignmentID), nullID(f.UserID), f.Name, f.Type, t.Size(),
			t.Sum(), us(f.CreatedAt))
		if err != nil {
			return db.dbError(ctx, "training file", err)
		}
		return db.putFileBytes(ctx, trainingChunks, f.ID, t)
	})
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
	f, err := db.TrainingFile(ctx, id)
	if err != nil {
		return err
	}
	return db.readFileBytes(ctx, trainingChunks, id, f.SHA256, fn)
}

// DeleteTrainingFile implements training.FileStore: its chunks and its
// record, in one transaction (bytes kept by content, no longer referred
// to, are collected by the periodic sweep).
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

// LockCourse implements training.FileStore: on PostgreSQL the course's
// row is locked to the transaction's end, so that concurrent changes to
// its materials (read, changed, written whole) follow one another; SQLite
// runs one writing transaction at a time.
func (db *Store) LockCourse(ctx context.Context, id int64) error {
	q := `SELECT id FROM training_courses WHERE id = $1`
	if db.dialect.Name == "postgres" {
		q += ` FOR UPDATE`
	}
	var got int64
	err := db.writer(ctx).QueryRowContext(ctx, q, id).Scan(&got)
	return db.dbError(ctx, "training course", notFound(err, "course %d not found", id))
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
