package training

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/prize"
)

// Files: course materials and assignment submissions uploaded as files.
// They follow the prize's file rules through its exported functions
// (prize.StreamFile, NewID, CleanFileName): streamed in chunks into the
// store's staged file and kept as the prize's attachments are (by content
// beside an SQLite database, in chunk rows on PostgreSQL), the type
// sniffed from the content (PDF, PNG, JPEG, WebP),
// at most prize.MaxAttachmentBytes a file, a random 128-bit identifier;
// and every download is checked: a material for the course's approved
// participants and the secretariat, a submission for its submitter and the
// secretariat. Anyone else gets the answer of a file that does not exist.

// File is an uploaded file's record: a course's material (CourseID) or a
// submission's (AssignmentID and the submitter's UserID).
type File struct {
	ID           string    `json:"id"`
	CourseID     int64     `json:"course_id,omitempty"`
	AssignmentID int64     `json:"assignment_id,omitempty"`
	UserID       int64     `json:"user_id,omitempty"`
	Name         string    `json:"name"`
	Type         string    `json:"type"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	CreatedAt    time.Time `json:"created_at"`
}

// FileStore keeps training's files. Methods join the transaction carried
// by ctx.
type FileStore interface {
	// StageFile starts the file an upload streams into (hashed as it is
	// written); ReleaseStaged ends it once its transaction is over.
	StageFile() (*blobs.Temp, error)
	ReleaseStaged(ctx context.Context, t *blobs.Temp, committed bool) error
	// AddTrainingFile stores f's record, its size and SHA-256 those of t
	// (finished), with t's bytes.
	AddTrainingFile(ctx context.Context, f File, t *blobs.Temp) error
	TrainingFile(ctx context.Context, id string) (File, error)
	// TrainingFileChunks calls fn with the file's chunks in order.
	TrainingFileChunks(ctx context.Context, id string, fn func([]byte) error) error
	DeleteTrainingFile(ctx context.Context, id string) error
	// LockCourse serialises the changes to course id's materials within
	// the transaction of ctx (ENOTFOUND for no such course).
	LockCourse(ctx context.Context, id int64) error
	// SetCourseMaterials replaces a course's materials.
	SetCourseMaterials(ctx context.Context, courseID int64, ms []Material) error
}

func fileNotFound() error {
	return citylens.Ef(citylens.ENOTFOUND, "training.error.file_not_found", "No such file.")
}

// storeFile streams r into a new file f (CourseID or AssignmentID and
// UserID set) under the prize's rules, through a staged file the caller
// releases (ReleaseStaged) once its transaction is over; a refused file is
// named in the field "file" and, as the caller's transaction fails,
// leaves nothing.
func (s *Service) storeFile(ctx context.Context, f File, name string, r io.Reader, staged **blobs.Temp) (File, error) {
	if r == nil {
		return f, citylens.Ef(citylens.EINVALID, "training.error.file", "the file was not saved: correct the fields named below").
			WithProblems(problem("file", "training.error.file_missing", "choose a file"))
	}
	f.ID, f.Name, f.CreatedAt = prize.NewID(), prize.CleanFileName(name), s.now()
	t, err := s.Store.StageFile()
	if err != nil {
		return f, err
	}
	*staged = t
	f.Type, _, err = prize.StreamFile(r, prize.MaxAttachmentBytes, func() error {
		return citylens.Ef(citylens.ETOOLARGE, "training.error.file_size", "a file may have at most %s", "10 MiB").
			WithProblems(problem("file", "training.error.file_size_field", "too large"))
	}, t)
	if err != nil {
		if ce := citylens.AsError(err); ce != nil && len(ce.Problems) == 0 {
			ce.Problems = append(ce.Problems, citylens.Problem{Field: "file", Reason: ce.Message, Key: ce.Key, Args: ce.Args})
		}
		return f, err
	}
	if err := t.Finish(); err != nil {
		return f, citylens.Errorf(citylens.EINTERNAL, "files: finish: %v", err)
	}
	f.Size, f.SHA256 = t.Size(), t.Sum()
	return f, s.Store.AddTrainingFile(ctx, f, t)
}

// lockedCourse locks course courseID's materials for the transaction of
// ctx and loads the course (ENOTFOUND naming the course if there is none).
func (s *Service) lockedCourse(ctx context.Context, courseID int64) (*Course, error) {
	if err := s.Store.LockCourse(ctx, courseID); err != nil {
		return nil, missing(err, "Course", courseID)
	}
	c, err := s.Store.Course(ctx, courseID)
	if err != nil {
		return nil, missing(err, "Course", courseID)
	}
	return c, nil
}

// changeMaterials runs a change of course courseID's materials that may
// store a file, by v (the secretariat only), in one transaction: fn gets
// the course, locked (lockedCourse), and the staged file to fill, and
// returns the material it leaves. The staged file is released after it.
func (s *Service) changeMaterials(ctx context.Context, v Viewer, courseID int64, fn func(ctx context.Context, c *Course, staged **blobs.Temp) (Material, error)) (Material, error) {
	if !v.Admin {
		return Material{}, forbidden()
	}
	var m Material
	var staged *blobs.Temp
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockedCourse(ctx, courseID)
		if err != nil {
			return err
		}
		m, err = fn(ctx, c, &staged)
		return err
	})
	// What a failed release leaves, the periodic sweep collects.
	_ = s.Store.ReleaseStaged(ctx, staged, err == nil)
	return m, err
}

// AddMaterialFile adds a file to a course's materials: the secretariat.
func (s *Service) AddMaterialFile(ctx context.Context, v Viewer, courseID int64, title, name string, r io.Reader) (Material, error) {
	return s.changeMaterials(ctx, v, courseID, func(ctx context.Context, c *Course, staged **blobs.Temp) (Material, error) {
		var ch checker
		ch.text("title", strings.TrimSpace(title), MaxTitle, true)
		if len(c.Materials) >= MaxMaterials {
			ch.ps = append(ch.ps, problem("materials", "training.error.toomany", "more than %d", MaxMaterials))
		}
		if err := ch.err("training.error.material", "the material was not saved: correct the fields named below"); err != nil {
			return Material{}, err
		}
		f, err := s.storeFile(ctx, File{CourseID: courseID}, name, r, staged)
		if err != nil {
			return Material{}, err
		}
		m := Material{Title: strings.TrimSpace(title), FileID: f.ID, FileName: f.Name, FileType: f.Type, FileSize: f.Size}
		return m, s.Store.SetCourseMaterials(ctx, courseID, append(c.Materials, m))
	})
}

// Participant reports whether v is an approved participant of a cohort of
// course courseID.
func (s *Service) Participant(ctx context.Context, v Viewer, courseID int64) (bool, error) {
	cs, err := s.Store.Cohorts(ctx)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.CourseID != courseID {
			continue
		}
		if err := s.participant(ctx, v, c.ID); err == nil {
			return true, nil
		} else if citylens.ErrorCode(err) != citylens.EFORBIDDEN {
			return false, err
		}
	}
	return false, nil
}

// File is file id's record if v may read it: a material, the secretariat
// and the course's approved participants; a submission, the secretariat
// and its submitter. ENOTFOUND otherwise, as for a file that does not
// exist, so a guessed or leaked URL shows nothing.
func (s *Service) File(ctx context.Context, v Viewer, id string) (File, error) {
	if v.UserID == 0 || len(id) != 32 {
		return File{}, fileNotFound()
	}
	f, err := s.Store.TrainingFile(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return File{}, fileNotFound()
		}
		return File{}, err
	}
	switch {
	case v.Admin:
		return f, nil
	case f.AssignmentID != 0:
		if f.UserID == v.UserID {
			return f, nil
		}
	case f.CourseID != 0:
		ok, err := s.Participant(ctx, v, f.CourseID)
		if err != nil {
			return File{}, err
		}
		if ok {
			return f, nil
		}
	}
	return File{}, fileNotFound()
}

// WriteFile writes file id, which v may read, to w.
func (s *Service) WriteFile(ctx context.Context, v Viewer, id string, w io.Writer) error {
	if _, err := s.File(ctx, v, id); err != nil {
		return err
	}
	return s.Store.TrainingFileChunks(ctx, id, func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
}

// Changing a course's materials: the secretariat removes one, changes its
// title, or uploads a file that takes its place (keeping its position and,
// unless changed, its title). A material is named by its position (1 for
// the first) and, to refuse a change made on a page loaded before someone
// else's change, by what it is (its file's identifier or its link): a
// material that is no longer there answers a conflict. Each change is one
// transaction with its audit entry (before and after); a removed or
// replaced file's record goes in the same transaction, so its download
// answers 404 at once, and the bytes no record refers to any more are
// collected by the store's periodic file sweep.

// MaterialChange is an entry of the audit log of a change to a course's
// materials: the material and its position (1 for the first).
type MaterialChange struct {
	Position int      `json:"position"`
	Material Material `json:"material"`
}

// ident is what names m on a page: its file's identifier or its link.
func (m Material) ident() string {
	if m.FileID != "" {
		return m.FileID
	}
	return m.URL
}

func materialChanged() error {
	return citylens.Ef(citylens.ECONFLICT, "training.error.material_changed",
		"The course's materials changed since the page was loaded: reload it and try again.").
		WithProblems(problem("current", "training.error.material_changed_field", "no longer at this position"))
}

// material is course c's material at position (1-based) if it is still
// the one current names (its file's identifier or link; "" skips the check).
func material(c *Course, position int, current string) (Material, error) {
	if position < 1 || position > len(c.Materials) {
		if current != "" {
			return Material{}, materialChanged()
		}
		return Material{}, notFound("Material", position)
	}
	m := c.Materials[position-1]
	if current != "" && current != m.ident() {
		return Material{}, materialChanged()
	}
	return m, nil
}

// RemoveMaterial removes the material at position of course courseID:
// the secretariat. A file's record goes with it, in the same transaction.
func (s *Service) RemoveMaterial(ctx context.Context, v Viewer, courseID int64, position int, current string) error {
	if !v.Admin {
		return forbidden()
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockedCourse(ctx, courseID)
		if err != nil {
			return err
		}
		m, err := material(c, position, current)
		if err != nil {
			return err
		}
		ms := append(append([]Material{}, c.Materials[:position-1]...), c.Materials[position:]...)
		if err := s.Store.SetCourseMaterials(ctx, courseID, ms); err != nil {
			return err
		}
		if m.FileID != "" {
			if err := s.Store.DeleteTrainingFile(ctx, m.FileID); err != nil {
				return err
			}
		}
		return s.record(ctx, v, "training.material.remove", courseID, MaterialChange{position, m}, nil)
	})
}

// UpdateMaterial changes the material at position of course courseID: the
// secretariat. A title not nil replaces its title (required, at most
// MaxTitle characters); a file (r not nil) takes the place of its file or
// link, the old file's record removed in the same transaction. A refused
// title or file is named ("title", "file") and nothing is saved.
func (s *Service) UpdateMaterial(ctx context.Context, v Viewer, courseID int64, position int, current string, title *string, name string, r io.Reader) (Material, error) {
	return s.changeMaterials(ctx, v, courseID, func(ctx context.Context, c *Course, staged **blobs.Temp) (Material, error) {
		old, err := material(c, position, current)
		if err != nil {
			return Material{}, err
		}
		m := old
		if title != nil {
			var ch checker
			ch.text("title", strings.TrimSpace(*title), MaxTitle, true)
			if err := ch.err("training.error.material", "the material was not saved: correct the fields named below"); err != nil {
				return m, err
			}
			m.Title = strings.TrimSpace(*title)
		}
		if title == nil && r == nil {
			return m, citylens.Ef(citylens.EINVALID, "training.error.material", "the material was not saved: correct the fields named below").
				WithProblems(problem("file", "training.error.material_nochange", "change the title or choose a file"))
		}
		if r != nil {
			f, err := s.storeFile(ctx, File{CourseID: courseID}, name, r, staged)
			if err != nil {
				return m, err
			}
			m.URL, m.FileID, m.FileName, m.FileType, m.FileSize = "", f.ID, f.Name, f.Type, f.Size
		}
		if m == old {
			return m, nil // nothing changed: nothing written, nothing logged
		}
		ms := append([]Material{}, c.Materials...)
		ms[position-1] = m
		if err := s.Store.SetCourseMaterials(ctx, courseID, ms); err != nil {
			return m, err
		}
		if old.FileID != "" && old.FileID != m.FileID {
			if err := s.Store.DeleteTrainingFile(ctx, old.FileID); err != nil {
				return m, err
			}
		}
		return m, s.record(ctx, v, "training.material.update", courseID, MaterialChange{position, old}, MaterialChange{position, m})
	})
}
