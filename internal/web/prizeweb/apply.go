package prizeweb

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

type myData struct {
	Profile     prize.Profile
	HasProfile  bool
	Focal       bool
	Types       []string
	Apps        []*prize.Application
	Open        *callData
	CanStart    map[string]bool
	Errors      *formErrors
	ProfileSent bool
}

func (a *Area) myData(r *http.Request) (*myData, error) {
	ctx := r.Context()
	w := who(r)
	d := &myData{Types: prize.ApplicantTypes, Focal: w.Role == accounts.RoleFocal, CanStart: map[string]bool{}}
	p, err := a.svc.Profile(ctx, w)
	switch citylens.ErrorCode(err) {
	case "":
		d.Profile, d.HasProfile = p, true
	case citylens.ENOTFOUND:
	default:
		return nil, err
	}
	if d.Apps, err = a.svc.Applications(ctx, w, prize.ApplicationFilter{UserID: w.UserID}); err != nil {
		return nil, err
	}
	if e, err := a.svc.OpenEdition(ctx); err == nil && e.TakesChanges(a.s.Now()) {
		if d.Open, err = a.callData(r, e); err != nil {
			return nil, err
		}
		for _, t := range d.Open.Tracks {
			d.CanStart[t.Code] = d.HasProfile && d.Open.Eligibility.Allows(t.Code, d.Profile.Type)
		}
	}
	return d, nil
}

func (a *Area) myPage(w http.ResponseWriter, r *http.Request) error {
	if web.ViewerOf(r).IsAdmin() {
		http.Redirect(w, r, "/admin/prize", http.StatusSeeOther)
		return nil
	}
	d, err := a.myData(r)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_my.html", d)
}

func (a *Area) saveProfile(w http.ResponseWriter, r *http.Request) error {
	p := profileFromForm(r)
	err := a.svc.SaveProfile(r.Context(), who(r), p)
	if fe := a.refused(r, err); fe != nil {
		d, derr := a.myData(r)
		if derr != nil {
			return derr
		}
		d.Profile, d.Errors, d.ProfileSent = p, fe, true
		return a.s.RenderStatus(w, r, statusFor(err), "prize_my.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/my", "prize.flash.profile_saved")
	return nil
}

func (a *Area) createApplication(w http.ResponseWriter, r *http.Request) error {
	app, err := a.svc.CreateApplication(r.Context(), who(r), r.PathValue("edition"), r.PostFormValue("track"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/prize/applications/"+strconv.FormatInt(app.ID, 10), http.StatusSeeOther)
	return nil
}

func appID(r *http.Request) (int64, error) { return web.PathID(r, "id") }

// appData is an application's page: the form (for its applicant while it
// may change) or the record, the endorsement, and for the secretariat the
// checks, duplicates and screening log.
type appData struct {
	*prize.View
	Answers     prize.Answers
	Co          []prize.CoApplicant
	Editable    bool
	Late        bool // past the deadline (within the grace)
	Errors      *formErrors
	Admin       bool
	Checks      []prize.Check
	CheckViews  []checkView
	Duplicates  []*prize.Application
	Screenings  []prize.Screening
	City        *members.City
	Needs       bool // needs an endorsement
	CanEndorse  bool // may ask for one now
	FilesBy     map[string][]prize.Attachment
	Official    string
	Reason      string
	MaxFileSize int64
	// The country/city picker's lists (a form with a place field, while
	// it may change): countries by name in the page's language, member
	// cities by code.
	Countries []placeOption
	Cities    []placeOption
}

// placeOption is one entry of the country/city picker.
type placeOption struct {
	Value string
	Label string
}

// placeOptions fills the picker's lists when the form has a place field.
func (a *Area) placeOptions(r *http.Request, d *appData) error {
	has := false
	for _, f := range d.Form.Fields {
		has = has || f.Kind == prize.KindPlace
	}
	if !has {
		return nil
	}
	lang := string(web.ReaderLang(r))
	names := make(map[string]string, len(prize.Countries))
	for _, c := range prize.Countries {
		names[c] = a.s.T(r, prize.CountryKey(c))
		d.Countries = append(d.Countries, placeOption{Value: c, Label: names[c]})
	}
	coll := collate.New(language.Make(lang))
	sort.SliceStable(d.Countries, func(i, j int) bool { return coll.CompareString(d.Countries[i].Label, d.Countries[j].Label) < 0 })
	cities, err := a.store.ListCities(r.Context(), members.CityFilter{})
	if err != nil {
		return err
	}
	for _, c := range cities {
		if c.Status != members.StatusMember && c.Status != members.StatusCandidate {
			continue
		}
		d.Cities = append(d.Cities, placeOption{Value: c.Code, Label: a.s.T(r, "prize.place.city_option", c.NameIn(lang), names[c.Country])})
	}
	return nil
}

// checkView is an automatic check worded in the reader's language.
type checkView struct {
	Rule   string
	Passed bool
	Text   string
}

func (a *Area) appData(r *http.Request, id int64) (*appData, error) {
	ctx := r.Context()
	w := who(r)
	v, err := a.svc.Load(ctx, w, id)
	if err != nil {
		return nil, err
	}
	now := a.s.Now()
	d := &appData{View: v, Answers: v.App.Answers, Co: v.App.CoApplicants, Admin: w.Admin(), FilesBy: map[string][]prize.Attachment{},
		MaxFileSize: prize.MaxAttachmentBytes}
	d.Editable = v.Owner && v.Edition.TakesChanges(now) && (v.App.State == prize.StateDraft || v.App.State == prize.StateSubmitted)
	d.Late = v.Edition.Late(now)
	for _, f := range v.Files {
		d.FilesBy[f.Field] = append(d.FilesBy[f.Field], f)
	}
	d.Needs = prize.NeedsEndorsement(v.App.ApplicantType)
	d.CanEndorse = d.Editable && d.Needs
	for _, e := range v.Endorsements {
		if e.Status == prize.EndorseRequested || e.Status == prize.EndorseGiven {
			d.CanEndorse = false
		}
	}
	if v.App.CityCode != "" {
		if c, err := a.store.City(ctx, v.App.CityCode); err == nil {
			d.City = &c
		}
	}
	if d.Editable {
		if err := a.placeOptions(r, d); err != nil {
			return nil, err
		}
	}
	if w.Admin() {
		if d.Checks, err = a.svc.Checks(ctx, v); err != nil {
			return nil, err
		}
		for _, c := range d.Checks {
			d.CheckViews = append(d.CheckViews, checkView{Rule: c.Rule, Passed: c.Passed, Text: a.s.T(r, c.Key, c.Args...)})
		}
		if d.Screenings, err = a.svc.Store.PrizeScreenings(ctx, id); err != nil {
			return nil, err
		}
		all, err := a.svc.Store.PrizeApplications(ctx, prize.ApplicationFilter{Edition: v.App.Edition})
		if err != nil {
			return nil, err
		}
		byID := map[int64]*prize.Application{}
		for _, x := range all {
			byID[x.ID] = x
		}
		for _, dup := range prize.FindDuplicates(all) {
			switch id {
			case dup.A:
				d.Duplicates = append(d.Duplicates, byID[dup.B])
			case dup.B:
				d.Duplicates = append(d.Duplicates, byID[dup.A])
			}
		}
	}
	return d, nil
}

func (a *Area) applicationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	d, err := a.appData(r, id)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_app.html", d)
}

// coFromForm reads the co-applicants' rows (co_org, co_country, co_email
// repeated), skipping blank rows.
func coFromForm(r *http.Request) []prize.CoApplicant {
	orgs, countries, emails := r.PostForm["co_org"], r.PostForm["co_country"], r.PostForm["co_email"]
	var out []prize.CoApplicant
	for i := range orgs {
		c := prize.CoApplicant{Organisation: strings.TrimSpace(orgs[i]), Country: strings.ToUpper(strings.TrimSpace(at(countries, i))),
			Email: strings.TrimSpace(at(emails, i))}
		if c != (prize.CoApplicant{}) {
			out = append(out, c)
		}
	}
	return out
}

// save stores the posted form; on a refusal it shows the form again with
// what was typed and each problem at its field.
func (a *Area) save(w http.ResponseWriter, r *http.Request, then func(id int64) error) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	d, err := a.appData(r, id)
	if err != nil {
		return err
	}
	ans := prize.AnswersFromForm(d.Form, r.PostForm)
	co := coFromForm(r)
	_, err = a.svc.SaveDraft(r.Context(), who(r), id, ans, co)
	if err == nil && then != nil {
		err = then(id)
	}
	if fe := a.refused(r, err); fe != nil {
		d, derr := a.appData(r, id)
		if derr != nil {
			return derr
		}
		d.Answers, d.Co, d.Errors = ans, co, fe
		return a.s.RenderStatus(w, r, statusFor(err), "prize_app.html", d)
	}
	return err
}

func (a *Area) saveApplication(w http.ResponseWriter, r *http.Request) error {
	saved := false
	if err := a.save(w, r, func(int64) error { saved = true; return nil }); err != nil || !saved {
		return err
	}
	id, _ := appID(r)
	a.s.RedirectFlash(w, r, "/prize/applications/"+strconv.FormatInt(id, 10), "prize.flash.saved")
	return nil
}

func (a *Area) submit(w http.ResponseWriter, r *http.Request) error {
	done := false
	err := a.save(w, r, func(id int64) error {
		_, err := a.svc.Submit(r.Context(), who(r), id)
		done = err == nil
		return err
	})
	if err != nil || !done {
		return err
	}
	id, _ := appID(r)
	http.Redirect(w, r, "/prize/applications/"+strconv.FormatInt(id, 10)+"/receipt", http.StatusSeeOther)
	return nil
}

// autosave stores the form as the page's script posts it, answering JSON:
// when it was saved, or the problems by field (nothing saved).
func (a *Area) autosave(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Load(r.Context(), who(r), id)
	if err != nil {
		return err
	}
	ans := prize.AnswersFromForm(v.Form, r.PostForm)
	app, err := a.svc.SaveDraft(r.Context(), who(r), id, ans, coFromForm(r))
	lang := web.ReaderLang(r)
	if err != nil {
		fe := a.refused(r, err)
		if fe == nil {
			return err
		}
		web.WriteJSON(w, statusFor(err), map[string]any{"error": fe.Message, "problems": fe.List})
		return nil
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"saved_at": app.UpdatedAt.Format(time.RFC3339),
		"message": a.s.T(r, "prize.autosave.saved", when(string(lang), app.UpdatedAt, v.Edition.TimeZone))})
	return nil
}

func (a *Area) withdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	if err := a.svc.Withdraw(r.Context(), who(r), id); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/my", "prize.flash.withdrawn")
	return nil
}

func (a *Area) receipt(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	d, err := a.appData(r, id)
	if err != nil {
		return err
	}
	if !d.Owner && !d.Admin {
		return citylens.Ef(citylens.ENOTFOUND, "prize.error.app_not_found", "application %d not found", id)
	}
	if d.App.SubmittedAt.IsZero() {
		return citylens.Ef(citylens.ECONFLICT, "prize.error.not_submitted", "this application is not submitted")
	}
	return a.s.Render(w, r, "prize_receipt.html", d)
}

// upload attaches a posted file to a file field. The body is read as a
// stream (the route StreamsUpload): the core read the fields before the
// file (the CSRF token, the field), the service copies the file into the
// database chunk by chunk as it arrives, checking its type on its first
// bytes and its size as it goes, so an upload holds a chunk in memory.
func (a *Area) upload(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	var fileErr error
	var part *multipart.Part
	up := web.UploadOf(r)
	if up != nil {
		if part, err = up.NextFile(); err != nil {
			return err
		}
	}
	if part == nil || part.FormName() != "file" {
		fileErr = citylens.Ef(citylens.EINVALID, "prize.error.file_missing", "choose one file")
	} else {
		_, fileErr = a.svc.AddAttachment(r.Context(), who(r), id, r.PostFormValue("field"), part.FileName(), &onlyFile{up: up, part: part})
	}
	if fe := a.refused(r, fileErr); fe != nil {
		d, err := a.appData(r, id)
		if err != nil {
			return err
		}
		fe.Fields[r.PostFormValue("field")] = fe.Message
		d.Errors = fe
		return a.s.RenderStatus(w, r, statusFor(fileErr), "prize_app.html", d)
	}
	if fileErr != nil {
		return fileErr
	}
	a.s.RedirectFlash(w, r, "/prize/applications/"+strconv.FormatInt(id, 10)+"#field-"+url.PathEscape(r.PostFormValue("field")), "prize.flash.file_added")
	return nil
}

func (a *Area) deleteFile(w http.ResponseWriter, r *http.Request) error {
	id, err := a.svc.DeleteAttachment(r.Context(), who(r), r.PathValue("file"))
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/applications/"+strconv.FormatInt(id, 10), "prize.flash.file_removed")
	return nil
}

// download streams a file the viewer may read, as an attachment of its
// sniffed type (never rendered inline by the browser as something else).
func (a *Area) download(w http.ResponseWriter, r *http.Request) error {
	att, err := a.svc.Attachment(r.Context(), who(r), r.PathValue("file"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", att.Type)
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(att.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	return a.svc.WriteAttachment(r.Context(), who(r), att.ID, w)
}

func (a *Area) requestEndorsement(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	official := strings.TrimSpace(r.PostFormValue("official"))
	_, err = a.svc.RequestEndorsement(r.Context(), who(r), id, official)
	if fe := a.refused(r, err); fe != nil {
		d, derr := a.appData(r, id)
		if derr != nil {
			return derr
		}
		d.Errors, d.Official = fe, official
		return a.s.RenderStatus(w, r, statusFor(err), "prize_app.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/applications/"+strconv.FormatInt(id, 10), "prize.flash.endorsement_requested")
	return nil
}

func (a *Area) endorsementsPage(w http.ResponseWriter, r *http.Request) error {
	es, apps, err := a.svc.EndorsementsFor(r.Context(), who(r))
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_endorsements.html", map[string]any{"Endorsements": es, "Apps": apps})
}

func (a *Area) endorse(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.Endorse(r.Context(), who(r), id, r.PostFormValue("decision"), r.PostFormValue("comment")); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/endorsements", "prize.flash.endorsement_recorded")
	return nil
}

// onlyFile reads the one file of an upload; at its end it refuses a second
// file in the same body, so the transaction storing the first rolls back.
// A body over the route's limit is refused as too large.
type onlyFile struct {
	up   *web.Upload
	part *multipart.Part
}

func (f *onlyFile) Read(p []byte) (int, error) {
	n, err := f.part.Read(p)
	if errors.Is(err, io.EOF) {
		next, nerr := f.up.NextFile()
		if nerr != nil {
			return n, nerr
		}
		if next != nil {
			return n, citylens.Ef(citylens.EINVALID, "prize.error.file_missing", "choose one file")
		}
		return n, io.EOF
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return n, citylens.Ef(citylens.ETOOLARGE, "prize.error.file_size", "a file may have at most %s, and an application's files %s together", "10 MiB", "40 MiB")
	}
	return n, err
}
