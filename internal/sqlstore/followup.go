package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/followup"
)

// The winners' follow-up: studies, their partners, milestones, evidence
// and evidence files (chunked, as the prize's attachments). A study is
// read whole (its partners, milestones and evidence in three more
// queries), and an edition's studies with four queries in all.

const followupStudyColumns = `id, edition, application_id, award, grade, title, organisation, country, stage, modality,
	modality_reason, host_city, host_city_name, owner_user_id, currency, budget, reported, risks, decision, decision_reason,
	review, reviewed_at, final_report, demo, created_at, updated_at`

func scanFollowupStudy(row scanner) (*followup.Study, error) {
	var s followup.Study
	var reviewed, created, updated int64
	var demo int
	err := row.Scan(&s.ID, &s.Edition, &s.AppID, &s.Award, &s.Grade, &s.Title, &s.Organisation, &s.Country, &s.Stage, &s.Modality,
		&s.ModalityReason, &s.HostCity, &s.HostCityName, &s.OwnerUserID, &s.Currency, &s.Budget, &s.Reported, &s.Risks, &s.Decision,
		&s.DecisionReason, &s.Review, &reviewed, &s.FinalReport, &demo, &created, &updated)
	s.ReviewedAt, s.CreatedAt, s.UpdatedAt, s.Demo = tm(reviewed), tm(created), tm(updated), demo != 0
	return &s, err
}

// CreateFollowupStudy implements followup.Store.
func (db *Store) CreateFollowupStudy(ctx context.Context, s *followup.Study) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO followup_studies (`+strings.TrimPrefix(followupStudyColumns, "id, ")+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
			ON CONFLICT (application_id) DO NOTHING RETURNING id`,
			s.Edition, s.AppID, s.Award, s.Grade, s.Title, s.Organisation, s.Country, s.Stage, s.Modality, s.ModalityReason, s.HostCity,
			s.HostCityName, s.OwnerUserID, s.Currency, s.Budget, s.Reported, s.Risks, s.Decision, s.DecisionReason, s.Review,
			us(s.ReviewedAt), s.FinalReport, boolInt(s.Demo), us(s.CreatedAt), us(s.UpdatedAt)).Scan(&s.ID)
		if err == sql.ErrNoRows {
			return citylens.Errorf(citylens.ECONFLICT, "the application %d already has a study", s.AppID)
		}
		if err != nil {
			return db.dbError(ctx, "followup study", err)
		}
		for i := range s.Partners {
			s.Partners[i].StudyID = s.ID
			if err := db.AddFollowupPartner(ctx, &s.Partners[i]); err != nil {
				return err
			}
		}
		for i := range s.Milestones {
			s.Milestones[i].StudyID = s.ID
			if err := db.AddFollowupMilestone(ctx, &s.Milestones[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateFollowupStudy implements followup.Store.
func (db *Store) UpdateFollowupStudy(ctx context.Context, s *followup.Study) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE followup_studies SET modality = $2, modality_reason = $3, currency = $4,
		budget = $5, reported = $6, risks = $7, decision = $8, decision_reason = $9, review = $10, reviewed_at = $11,
		final_report = $12, updated_at = $13 WHERE id = $1`, s.ID, s.Modality, s.ModalityReason, s.Currency, s.Budget, s.Reported,
		s.Risks, s.Decision, s.DecisionReason, s.Review, us(s.ReviewedAt), s.FinalReport, us(s.UpdatedAt))
	if err != nil {
		return db.dbError(ctx, "followup study", err)
	}
	return db.rowsAffected(ctx, res, "followup study %d not found", s.ID)
}

// FollowupStudy implements followup.Store.
func (db *Store) FollowupStudy(ctx context.Context, id int64) (*followup.Study, error) {
	out, err := db.followupStudies(ctx, `id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "followup study %d not found", id)
	}
	return out[0], nil
}

// FollowupStudyByApp implements followup.Store.
func (db *Store) FollowupStudyByApp(ctx context.Context, app int64) (*followup.Study, error) {
	out, err := db.followupStudies(ctx, `application_id = $1`, app)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "no followup study of application %d", app)
	}
	return out[0], nil
}

// FollowupStudies implements followup.Store.
func (db *Store) FollowupStudies(ctx context.Context, edition string) ([]*followup.Study, error) {
	if edition == "" {
		return db.followupStudies(ctx, `$1 = ''`, "")
	}
	return db.followupStudies(ctx, `edition = $1`, edition)
}

// FollowupCityStudies implements followup.CityStore: the studies city
// hosts or is a partner city of (indexed: followup_studies_host and
// followup_partners_city).
func (db *Store) FollowupCityStudies(ctx context.Context, city string) ([]*followup.Study, error) {
	if city == "" { // "" is no city, not the studies without a host
		return nil, nil
	}
	return db.followupStudies(ctx, `host_city = $1 OR id IN (SELECT study_id FROM followup_partners WHERE kind = 'city' AND city_code = $1)`, city)
}

// followupStudies reads the studies of where (on followup_studies, with
// one argument) whole.
func (db *Store) followupStudies(ctx context.Context, where string, arg any) ([]*followup.Study, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+followupStudyColumns+` FROM followup_studies WHERE `+where+` ORDER BY id`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "followup studies", err)
	}
	var out []*followup.Study
	byID := map[int64]*followup.Study{}
	for rows.Next() {
		s, err := scanFollowupStudy(rows)
		if err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "followup studies", err)
		}
		out = append(out, s)
		byID[s.ID] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.dbError(ctx, "followup studies", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	sub := `SELECT id FROM followup_studies WHERE ` + where
	// Partners.
	rows, err = db.reader(ctx).QueryContext(ctx, `SELECT id, study_id, kind, city_code, name, role, user_id FROM followup_partners
		WHERE study_id IN (`+sub+`) ORDER BY id`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "followup partners", err)
	}
	for rows.Next() {
		var p followup.Partner
		if err := rows.Scan(&p.ID, &p.StudyID, &p.Kind, &p.CityCode, &p.Name, &p.Role, &p.UserID); err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "followup partners", err)
		}
		if s := byID[p.StudyID]; s != nil {
			s.Partners = append(s.Partners, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.dbError(ctx, "followup partners", err)
	}
	// Milestones.
	rows, err = db.reader(ctx).QueryContext(ctx, `SELECT id, study_id, seq, title, title_ko, due, owner_user_id, deliverables, deliverables_ko,
		reported, done_at, updated_at FROM followup_milestones WHERE study_id IN (`+sub+`) ORDER BY study_id, seq, id`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "followup milestones", err)
	}
	mIndex := map[int64][2]int64{} // milestone → study, index
	for rows.Next() {
		var m followup.Milestone
		var done, updated int64
		if err := rows.Scan(&m.ID, &m.StudyID, &m.Seq, &m.Title, &m.TitleKO, &m.Due, &m.OwnerUserID, &m.Deliverables, &m.DeliverablesKO,
			&m.Reported, &done, &updated); err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "followup milestones", err)
		}
		m.DoneAt, m.UpdatedAt = tm(done), tm(updated)
		if s := byID[m.StudyID]; s != nil {
			mIndex[m.ID] = [2]int64{m.StudyID, int64(len(s.Milestones))}
			s.Milestones = append(s.Milestones, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.dbError(ctx, "followup milestones", err)
	}
	// Evidence, with its file's record.
	rows, err = db.reader(ctx).QueryContext(ctx, `SELECT `+followupEvidenceColumns+` FROM followup_evidence e
		LEFT JOIN followup_files f ON f.id = e.file_id WHERE e.study_id IN (`+sub+`) ORDER BY e.id`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "followup evidence", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanFollowupEvidence(rows)
		if err != nil {
			return nil, db.dbError(ctx, "followup evidence", err)
		}
		if ix, ok := mIndex[e.MilestoneID]; ok {
			m := &byID[ix[0]].Milestones[ix[1]]
			m.Evidence = append(m.Evidence, e)
		}
	}
	return out, db.dbError(ctx, "followup evidence", rows.Err())
}

const followupEvidenceColumns = `e.id, e.study_id, e.milestone_id, e.kind, e.label, e.public, e.url, COALESCE(e.file_id, ''),
	e.indicator, e.unit, e.before_value, e.after_value, e.created_by, e.created_at,
	COALESCE(f.name, ''), COALESCE(f.type, ''), COALESCE(f.size, 0), COALESCE(f.sha256, '')`

func scanFollowupEvidence(row scanner) (followup.Evidence, error) {
	var e followup.Evidence
	var public int
	var created int64
	err := row.Scan(&e.ID, &e.StudyID, &e.MilestoneID, &e.Kind, &e.Label, &public, &e.URL, &e.FileID, &e.Indicator, &e.Unit,
		&e.Before, &e.After, &e.CreatedBy, &created, &e.FileName, &e.FileType, &e.FileSize, &e.SHA256)
	e.Public, e.CreatedAt = public != 0, tm(created)
	return e, err
}

// AddFollowupPartner implements followup.Store.
func (db *Store) AddFollowupPartner(ctx context.Context, p *followup.Partner) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO followup_partners (study_id, kind, city_code, name, role, user_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, p.StudyID, p.Kind, p.CityCode, p.Name, p.Role, p.UserID).Scan(&p.ID)
	return db.dbError(ctx, "followup partner", err)
}

// AddFollowupMilestone implements followup.Store.
func (db *Store) AddFollowupMilestone(ctx context.Context, m *followup.Milestone) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO followup_milestones (study_id, seq, title, title_ko, due, owner_user_id,
		deliverables, deliverables_ko, reported, done_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		m.StudyID, m.Seq, m.Title, m.TitleKO, m.Due, m.OwnerUserID, m.Deliverables, m.DeliverablesKO, m.Reported, us(m.DoneAt), us(m.UpdatedAt)).Scan(&m.ID)
	return db.dbError(ctx, "followup milestone", err)
}

// UpdateFollowupMilestone implements followup.Store.
func (db *Store) UpdateFollowupMilestone(ctx context.Context, m *followup.Milestone) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE followup_milestones SET title = $2, title_ko = $3, due = $4, owner_user_id = $5,
		deliverables = $6, deliverables_ko = $7, reported = $8, done_at = $9, updated_at = $10 WHERE id = $1`,
		m.ID, m.Title, m.TitleKO, m.Due, m.OwnerUserID, m.Deliverables, m.DeliverablesKO, m.Reported, us(m.DoneAt), us(m.UpdatedAt))
	if err != nil {
		return db.dbError(ctx, "followup milestone", err)
	}
	return db.rowsAffected(ctx, res, "followup milestone %d not found", m.ID)
}

// AddFollowupEvidence implements followup.Store.
func (db *Store) AddFollowupEvidence(ctx context.Context, e *followup.Evidence) error {
	var file any
	if e.FileID != "" {
		file = e.FileID
	}
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO followup_evidence (study_id, milestone_id, kind, label, public, url, file_id,
		indicator, unit, before_value, after_value, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING id`, e.StudyID, e.MilestoneID, e.Kind, e.Label, boolInt(e.Public), e.URL, file, e.Indicator, e.Unit, e.Before, e.After,
		e.CreatedBy, us(e.CreatedAt)).Scan(&e.ID)
	return db.dbError(ctx, "followup evidence", err)
}

// UpdateFollowupPartner implements followup.Store.
func (db *Store) UpdateFollowupPartner(ctx context.Context, p followup.Partner) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE followup_partners SET kind = $3, city_code = $4, name = $5, role = $6, user_id = $7
		WHERE id = $1 AND study_id = $2`, p.ID, p.StudyID, p.Kind, p.CityCode, p.Name, p.Role, p.UserID)
	if err != nil {
		return db.dbError(ctx, "followup partner", err)
	}
	return db.rowsAffected(ctx, res, "followup partner %d not found", p.ID)
}

// DeleteFollowupPartner implements followup.Store.
func (db *Store) DeleteFollowupPartner(ctx context.Context, study, id int64) error {
	res, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM followup_partners WHERE id = $1 AND study_id = $2`, id, study)
	if err != nil {
		return db.dbError(ctx, "followup partner", err)
	}
	return db.rowsAffected(ctx, res, "followup partner %d not found", id)
}

// UpdateFollowupEvidence implements followup.Store.
func (db *Store) UpdateFollowupEvidence(ctx context.Context, e followup.Evidence) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE followup_evidence SET label = $3, public = $4, url = $5, indicator = $6, unit = $7,
		before_value = $8, after_value = $9 WHERE id = $1 AND study_id = $2`, e.ID, e.StudyID, e.Label, boolInt(e.Public), e.URL, e.Indicator,
		e.Unit, e.Before, e.After)
	if err != nil {
		return db.dbError(ctx, "followup evidence", err)
	}
	return db.rowsAffected(ctx, res, "followup evidence %d not found", e.ID)
}

// DeleteFollowupEvidence implements followup.Store: the evidence, then
// its file's chunks and record, in one transaction.
func (db *Store) DeleteFollowupEvidence(ctx context.Context, study, id int64) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		var file sql.NullString
		err := db.writer(ctx).QueryRowContext(ctx, `DELETE FROM followup_evidence WHERE id = $1 AND study_id = $2 RETURNING file_id`, id, study).Scan(&file)
		if err != nil {
			return db.dbError(ctx, "followup evidence", notFound(err, "followup evidence %d not found", id))
		}
		if !file.Valid || file.String == "" {
			return nil
		}
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM followup_file_chunks WHERE file_id = $1`, file.String); err != nil {
			return db.dbError(ctx, "followup file", err)
		}
		_, err = db.writer(ctx).ExecContext(ctx, `DELETE FROM followup_files WHERE id = $1`, file.String)
		return db.dbError(ctx, "followup file", err)
	})
}

// FollowupEvidenceByFile implements followup.EvidenceStore.
func (db *Store) FollowupEvidenceByFile(ctx context.Context, fileID string) (followup.Evidence, error) {
	e, err := scanFollowupEvidence(db.reader(ctx).QueryRowContext(ctx, `SELECT `+followupEvidenceColumns+` FROM followup_evidence e
		JOIN followup_files f ON f.id = e.file_id WHERE e.file_id = $1`, fileID))
	return e, db.dbError(ctx, "followup evidence", notFound(err, "no evidence holds file %s", fileID))
}

// AddFollowupFile implements followup.Store: the record of f (size and
// SHA-256 from t) with the bytes of t (finished), in the transaction of
// ctx (see files.go).
func (db *Store) AddFollowupFile(ctx context.Context, f followup.File, t *blobs.Temp) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO followup_files (id, study_id, name, type, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.ID, f.StudyID, f.Name, f.Type, t.Size(), t.Sum(), us(f.CreatedAt))
		if err != nil {
			return db.dbError(ctx, "followup file", err)
		}
		return db.putFileBytes(ctx, followupChunks, f.ID, t)
	})
}

// FollowupFile implements followup.Store.
func (db *Store) FollowupFile(ctx context.Context, id string) (followup.File, error) {
	var f followup.File
	var created int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT id, study_id, name, type, size, sha256, created_at FROM followup_files WHERE id = $1`, id).
		Scan(&f.ID, &f.StudyID, &f.Name, &f.Type, &f.Size, &f.SHA256, &created)
	f.CreatedAt = tm(created)
	return f, db.dbError(ctx, "followup file", notFound(err, "followup file %s not found", id))
}

// FollowupFileChunks implements followup.Store.
func (db *Store) FollowupFileChunks(ctx context.Context, id string, fn func([]byte) error) error {
	f, err := db.FollowupFile(ctx, id)
	if err != nil {
		return err
	}
	return db.readFileBytes(ctx, followupChunks, id, f.SHA256, fn)
}

// FollowupStudyBytes implements followup.Store.
func (db *Store) FollowupStudyBytes(ctx context.Context, study int64) (int64, error) {
	var n int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM followup_files WHERE study_id = $1`, study).Scan(&n)
	return n, db.dbError(ctx, "followup files", err)
}

// FollowupDue implements followup.Store: one query for the milestones,
// one for their studies' partners.
func (db *Store) FollowupDue(ctx context.Context, until string) ([]followup.Due, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT s.id, s.title, s.host_city, s.owner_user_id, m.id, m.title, m.title_ko, m.due, m.owner_user_id
		FROM followup_milestones m JOIN followup_studies s ON s.id = m.study_id
		WHERE m.reported <> 'done' AND m.due <= $1 ORDER BY m.due, m.id`, until)
	if err != nil {
		return nil, db.dbError(ctx, "followup due", err)
	}
	var out []followup.Due
	studies := map[int64][]int{}
	for rows.Next() {
		var d followup.Due
		if err := rows.Scan(&d.StudyID, &d.StudyTitle, &d.HostCity, &d.StudyOwner, &d.MilestoneID, &d.MilestoneTitle, &d.MilestoneTitleKO, &d.Due, &d.MilestoneOwner); err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "followup due", err)
		}
		studies[d.StudyID] = append(studies[d.StudyID], len(out))
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, db.dbError(ctx, "followup due", err)
	}
	prow, err := db.reader(ctx).QueryContext(ctx, `SELECT p.study_id, p.kind, p.city_code, p.user_id FROM followup_partners p
		WHERE p.study_id IN (SELECT m.study_id FROM followup_milestones m WHERE m.reported <> 'done' AND m.due <= $1) ORDER BY p.id`, until)
	if err != nil {
		return nil, db.dbError(ctx, "followup partners", err)
	}
	defer prow.Close()
	for prow.Next() {
		var study, user int64
		var kind, city string
		if err := prow.Scan(&study, &kind, &city, &user); err != nil {
			return nil, db.dbError(ctx, "followup partners", err)
		}
		for _, i := range studies[study] {
			if user != 0 {
				out[i].PartnerUserIDs = append(out[i].PartnerUserIDs, user)
			}
			if kind == followup.PartnerCity && city != "" {
				out[i].PartnerCityCodes = append(out[i].PartnerCityCodes, city)
			}
		}
	}
	return out, db.dbError(ctx, "followup partners", prow.Err())
}

// FollowupFocalPoints implements followup.Store.
func (db *Store) FollowupFocalPoints(ctx context.Context, cities []string) (map[string][]int64, error) {
	out := map[string][]int64{}
	if len(cities) == 0 {
		return out, nil
	}
	args := make([]any, len(cities))
	marks := make([]string, len(cities))
	for i, c := range cities {
		args[i] = c
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT city_code, id FROM users WHERE role = 'focal_point' AND status = 'active'
		AND city_code IN (`+strings.Join(marks, ", ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, db.dbError(ctx, "focal points", err)
	}
	defer rows.Close()
	for rows.Next() {
		var city string
		var id int64
		if err := rows.Scan(&city, &id); err != nil {
			return nil, db.dbError(ctx, "focal points", err)
		}
		out[city] = append(out[city], id)
	}
	return out, db.dbError(ctx, "focal points", rows.Err())
}

var _ followup.FullStore = (*Store)(nil)
