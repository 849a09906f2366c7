package prizeweb

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// The form editor: the administrator configures the form of a track and
// an applicant type in a plain HTML form (one row of inputs a field, an
// empty row for a new one; remove, position and move buttons), which
// saves through the same service call and checks as the JSON
// configuration (prize.Service.SetForm, prize.Form.Check). No script is
// needed.

// editorData is the editor's page.
type editorData struct {
	Edition *prize.Edition
	Tracks  []prize.Track
	Types   []string
	Kinds   []string
	Track   string
	Type    string
	Rows    []editorRow
	Keys    []string // the fields' keys, for the conditions' lists
	Errors  *formErrors
}

// editorRow is one field as the editor shows (and reads) it.
type editorRow struct {
	N          int // the row's number in the posted form
	Pos        int // its position (1, 2, ...)
	New        bool
	Key        string
	Kind       string
	Label      string
	LabelKO    string
	Help       string
	HelpKO     string
	Required   bool
	MaxWords   string
	Min        string
	Max        string
	MaxFiles   string
	Options    string // one a line: value | English label | Korean label
	ShowField  string
	ShowValues string // space-separated
}

// The editor's bounds: the rows read (the form's limit and the new row)
// and an options text.
const (
	maxEditorRows    = prize.MaxFields + 1
	maxEditorOptions = 20000
)

func fieldRow(i int, f prize.Field) editorRow {
	r := editorRow{N: i, Pos: i + 1, Key: f.Key, Kind: f.Kind, Label: f.Label, LabelKO: f.LabelKO, Help: f.Help, HelpKO: f.HelpKO,
		Required: f.Required}
	if f.MaxWords > 0 {
		r.MaxWords = strconv.Itoa(f.MaxWords)
	}
	if f.Min != nil {
		r.Min = strconv.FormatFloat(*f.Min, 'g', -1, 64)
	}
	if f.Max != nil {
		r.Max = strconv.FormatFloat(*f.Max, 'g', -1, 64)
	}
	if f.MaxFiles > 0 {
		r.MaxFiles = strconv.Itoa(f.MaxFiles)
	}
	var opts []string
	for _, o := range f.Options {
		opts = append(opts, o.Value+" | "+o.Label+" | "+o.LabelKO)
	}
	r.Options = strings.Join(opts, "\n")
	if f.ShowIf != nil {
		r.ShowField, r.ShowValues = f.ShowIf.Field, strings.Join(f.ShowIf.Values, " ")
	}
	return r
}

func (a *Area) editorData(r *http.Request, track, typ string) (*editorData, error) {
	ctx := r.Context()
	e, err := a.svc.Store.PrizeEdition(ctx, r.PathValue("edition"))
	if err != nil {
		return nil, err
	}
	d := &editorData{Edition: e, Types: prize.ApplicantTypes, Kinds: prize.FieldKinds(), Track: track, Type: typ}
	if d.Tracks, err = a.svc.Store.PrizeTracks(ctx, e.Code); err != nil {
		return nil, err
	}
	f, err := a.svc.FormFor(ctx, e.Code, track, typ)
	if err != nil {
		return nil, err
	}
	for i, fd := range f.Fields {
		d.Rows = append(d.Rows, fieldRow(i, fd))
	}
	d.finish()
	return d, nil
}

// finish numbers the rows as shown, lists the keys and adds the empty row.
func (d *editorData) finish() {
	d.Keys = nil
	for i := range d.Rows {
		d.Rows[i].N, d.Rows[i].Pos = i, i+1
		if d.Rows[i].Key != "" {
			d.Keys = append(d.Keys, d.Rows[i].Key)
		}
	}
	n := len(d.Rows)
	d.Rows = append(d.Rows, editorRow{N: n, Pos: n + 1, New: true, Kind: prize.KindText})
}

func (a *Area) adminFormEditor(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d, err := a.editorData(r, q.Get("track"), q.Get("type"))
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_admin_form_editor.html", d)
}

// readRows reads the editor's rows as posted, in their new order (by
// position, then a move button's step), without the removed ones and an
// empty new row.
func readRows(form url.Values) ([]editorRow, []citylens.Problem) {
	n, _ := strconv.Atoi(form.Get("rows"))
	n = min(max(n, 0), maxEditorRows)
	moveDir, moveRow, _ := strings.Cut(form.Get("move"), ".")
	moved, _ := strconv.Atoi(moveRow)
	type ordered struct {
		row editorRow
		pos float64
	}
	var rows []ordered
	var ps []citylens.Problem
	for i := 0; i < n; i++ {
		p := "f" + strconv.Itoa(i) + "."
		get := func(k string) string { return strings.TrimSpace(form.Get(p + k)) }
		r := editorRow{Key: get("key"), Kind: get("kind"), Label: get("label"), LabelKO: get("label_ko"), Help: get("help"),
			HelpKO: get("help_ko"), Required: get("required") != "", MaxWords: get("max_words"), Min: get("min"), Max: get("max"),
			MaxFiles: get("max_files"), Options: form.Get(p + "options"), ShowField: get("show_field"), ShowValues: get("show_values")}
		isNew := get("new") != ""
		if get("remove") != "" || (isNew && r.Key == "" && r.Label == "" && r.LabelKO == "") {
			continue
		}
		if len(r.Options) > maxEditorOptions {
			ps = append(ps, citylens.Problem{Field: r.Key}.Keyed("prize.error.too_long", "at most %d characters", maxEditorOptions))
			r.Options = r.Options[:maxEditorOptions]
		}
		pos, err := strconv.ParseFloat(get("pos"), 64)
		if err != nil {
			pos = float64(i + 1)
		}
		if i == moved {
			switch moveDir {
			case "up":
				pos -= 1.5
			case "down":
				pos += 1.5
			}
		}
		rows = append(rows, ordered{r, pos})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].pos < rows[j].pos })
	out := make([]editorRow, len(rows))
	for i, o := range rows {
		out[i] = o.row
	}
	return out, ps
}

// rowsForm is the form the rows describe; a number that is not one is a
// problem of its field.
func rowsForm(rows []editorRow) (*prize.Form, []citylens.Problem) {
	f := &prize.Form{}
	var ps []citylens.Problem
	for _, r := range rows {
		fd := prize.Field{Key: r.Key, Kind: r.Kind, Label: r.Label, LabelKO: r.LabelKO, Help: r.Help, HelpKO: r.HelpKO, Required: r.Required}
		num := func(s string) *float64 {
			if s == "" {
				return nil
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				ps = append(ps, citylens.Problem{Field: r.Key}.Keyed("prize.error.number", "%q is not a number", s))
				return nil
			}
			return &v
		}
		integer := func(s string) int {
			if v := num(s); v != nil {
				if *v != float64(int(*v)) {
					ps = append(ps, citylens.Problem{Field: r.Key}.Keyed("prize.error.number", "%q is not a number", s))
				}
				return int(*v)
			}
			return 0
		}
		fd.Min, fd.Max = num(r.Min), num(r.Max)
		fd.MaxWords, fd.MaxFiles = integer(r.MaxWords), integer(r.MaxFiles)
		for _, line := range strings.Split(r.Options, "\n") {
			parts := strings.Split(line, "|")
			v := strings.TrimSpace(parts[0])
			if v == "" {
				continue
			}
			o := prize.Option{Value: v, Label: v, LabelKO: v}
			if len(parts) > 1 && strings.TrimSpace(parts[1]) != "" {
				o.Label = strings.TrimSpace(parts[1])
				o.LabelKO = o.Label
			}
			if len(parts) > 2 && strings.TrimSpace(parts[2]) != "" {
				o.LabelKO = strings.TrimSpace(parts[2])
			}
			fd.Options = append(fd.Options, o)
		}
		if r.ShowField != "" {
			fd.ShowIf = &prize.Condition{Field: r.ShowField, Values: strings.Fields(r.ShowValues)}
		}
		f.Fields = append(f.Fields, fd)
	}
	return f, ps
}

// adminSaveFormEditor saves the form the editor posted for its track and
// applicant type; refused, the editor shows again as typed with each
// problem at its field, and nothing is saved.
func (a *Area) adminSaveFormEditor(w http.ResponseWriter, r *http.Request) error {
	code, track, typ := r.PathValue("edition"), r.PostFormValue("track"), r.PostFormValue("type")
	rows, ps := readRows(r.PostForm)
	f, fps := rowsForm(rows)
	ps = append(ps, fps...)
	var err error
	if len(ps) > 0 {
		err = citylens.Ef(citylens.EINVALID, "prize.error.form", "the form configuration was not saved: correct the fields named below").WithProblems(ps...)
	} else {
		err = a.svc.SetForm(r.Context(), web.ActorOf(r), code, track, typ, f)
	}
	if fe := a.refused(r, err); fe != nil {
		d, derr := a.editorData(r, track, typ)
		if derr != nil {
			return derr
		}
		d.Rows, d.Errors = rows, fe
		d.finish()
		return a.s.RenderStatus(w, r, statusFor(err), "prize_admin_form_editor.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/prize/"+code+"/form-editor?"+url.Values{"track": {track}, "type": {typ}}.Encode(), "prize.flash.form_saved")
	return nil
}
