package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
)

// Every page's text comes from the message catalogues: a template may show
// words only through {{t "key"}} (or data). These tests hold that rule for
// every template, present and future.

// bareTextAllowed are the words a template may show as they are: names that
// are the same in every language.
var bareTextAllowed = []string{"CityLens", "U4SSC", "ISO", "SDG", "ESG"}

// visibleAttrs are the attributes whose values people read (or hear).
var visibleAttrs = map[string]bool{"title": true, "alt": true, "placeholder": true, "aria-label": true, "aria-description": true, "label": true}

// actionMark stands for a {{...}} action in a template's text: a
// private-use rune, so it is not a letter.
const actionMark = "\uE000"

// templateTrees parses a template file without checking its functions,
// returning its trees by name (the file and every {{define}}).
func templateTrees(name, src string) (map[string]*parse.Tree, error) {
	tr := parse.New(name)
	tr.Mode = parse.SkipFuncCheck
	set := map[string]*parse.Tree{}
	if _, err := tr.Parse(src, "{{", "}}", set); err != nil {
		return nil, err
	}
	return set, nil
}

// catalogueUse is a {{t "key"}} or {{label "prefix" ...}} in a template.
type catalogueUse struct {
	fn, arg string
}

// flatten writes a tree's text in document order, every action replaced by
// actionMark and both branches of an if, range or with kept in turn, and
// collects the template's catalogue uses.
func flatten(n parse.Node, b *strings.Builder, uses *[]catalogueUse) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			flatten(c, b, uses)
		}
	case *parse.TextNode:
		b.Write(n.Text)
	case *parse.ActionNode:
		b.WriteString(actionMark)
		pipeUses(n.Pipe, uses)
	case *parse.TemplateNode:
		b.WriteString(actionMark)
		pipeUses(n.Pipe, uses)
	case *parse.IfNode:
		branch(&n.BranchNode, b, uses)
	case *parse.RangeNode:
		branch(&n.BranchNode, b, uses)
	case *parse.WithNode:
		branch(&n.BranchNode, b, uses)
	}
}

func branch(n *parse.BranchNode, b *strings.Builder, uses *[]catalogueUse) {
	pipeUses(n.Pipe, uses)
	flatten(n.List, b, uses)
	if n.ElseList != nil {
		flatten(n.ElseList, b, uses)
	}
}

func pipeUses(p *parse.PipeNode, uses *[]catalogueUse) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		if len(c.Args) >= 2 {
			if id, ok := c.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "t" || id.Ident == "label") {
				if s, ok := c.Args[1].(*parse.StringNode); ok {
					*uses = append(*uses, catalogueUse{id.Ident, s.Text})
				} else {
					*uses = append(*uses, catalogueUse{id.Ident, ""}) // a computed key
				}
			}
		}
		for _, a := range c.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				pipeUses(sub, uses)
			}
		}
	}
}

// hasWords reports whether text shows letters other than the allowed names.
func hasWords(text string) bool {
	text = html.UnescapeString(text)
	for _, w := range bareTextAllowed {
		text = strings.ReplaceAll(text, w, "")
	}
	return strings.IndexFunc(text, unicode.IsLetter) >= 0
}

// verbatimElements hold code or scripts, not words for people.
var verbatimElements = []string{"script", "style", "code", "pre"}

// bareText lists the words an HTML fragment (actions replaced by
// actionMark) shows outside actions: in text between tags and in the values
// of visible attributes (and of text inputs, whose value is shown).
func bareText(src string) []string {
	var found []string
	note := func(where, s string) {
		if hasWords(s) {
			found = append(found, where+strings.Join(strings.Fields(strings.ReplaceAll(s, actionMark, "{{…}}")), " "))
		}
	}
	for i := 0; i < len(src); {
		switch {
		case strings.HasPrefix(src[i:], "<!--"):
			end := strings.Index(src[i:], "-->")
			if end < 0 {
				return found
			}
			i += end + 3
		case src[i] == '<':
			name, attrs, end := readTag(src[i:])
			i += end
			if name == "" {
				note("text: ", "<")
				continue
			}
			typ := strings.ToLower(attrs["type"])
			for k, v := range attrs {
				if visibleAttrs[k] || k == "value" && name == "input" && typ != "hidden" && typ != "checkbox" && typ != "radio" {
					note(name+"["+k+"]: ", v)
				}
			}
			for _, v := range verbatimElements {
				if name == v {
					if close := strings.Index(src[i:], "</"+v); close >= 0 {
						i += close
					}
				}
			}
		default:
			end := strings.IndexByte(src[i:], '<')
			if end < 0 {
				end = len(src) - i
			}
			note("text: ", src[i:i+end])
			i += end
		}
	}
	return found
}

// readTag reads the tag at the start of s: its lower-case name ("" for a
// closing tag or a doctype), attributes, and length.
func readTag(s string) (string, map[string]string, int) {
	attrs := map[string]string{}
	i := 1
	if i < len(s) && (s[i] == '/' || s[i] == '!') {
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return "", attrs, len(s)
		}
		return "!", attrs, end + 1
	}
	start := i
	for i < len(s) && (unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i]))) {
		i++
	}
	if i == start {
		return "", attrs, 1 // a bare "<" in text
	}
	name := strings.ToLower(s[start:i])
	for i < len(s) && s[i] != '>' {
		if s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '/' {
			i++
			continue
		}
		ks := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '>' && s[i] != '\n' {
			i++
		}
		key := strings.ToLower(s[ks:i])
		val := ""
		if i < len(s) && s[i] == '=' {
			i++
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				q := s[i]
				end := strings.IndexByte(s[i+1:], q)
				if end < 0 {
					end = len(s) - i - 1
				}
				val = s[i+1 : i+1+end]
				i += end + 2
			} else {
				vs := i
				for i < len(s) && s[i] != ' ' && s[i] != '>' {
					i++
				}
				val = s[vs:i]
			}
		}
		attrs[key] = val
	}
	return name, attrs, min(i+1, len(s))
}

// TestTemplatesShowOnlyCatalogueText fails when a template shows words that
// do not come from the message catalogues, or names a key (or a label
// prefix) the catalogues do not have.
func TestTemplatesShowOnlyCatalogueText(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := cat.Keys()
	hasPrefix := func(p string) bool {
		i := sort.SearchStrings(keys, p+".")
		return i < len(keys) && strings.HasPrefix(keys[i], p+".")
	}
	// The core's templates and the areas' (internal/web/<area>/templates).
	dir := os.DirFS(".")
	names, err := fs.Glob(dir, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v %v", names, err)
	}
	areaNames, err := fs.Glob(dir, "*/templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	names = append(names, areaNames...)
	for _, n := range names {
		src, err := fs.ReadFile(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := templateTrees(path.Base(n), string(src))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, tr := range trees {
			var b strings.Builder
			var uses []catalogueUse
			flatten(tr.Root, &b, &uses)
			for _, w := range bareText(b.String()) {
				t.Errorf("%s (%s): words outside {{t}}: %s", n, tr.Name, w)
			}
			for _, u := range uses {
				switch {
				case u.fn == "t" && u.arg != "" && !cat.Has(u.arg):
					t.Errorf("%s (%s): {{t %q}}: no such key in the catalogues", n, tr.Name, u.arg)
				case u.fn == "label" && !hasPrefix(u.arg):
					t.Errorf("%s (%s): {{label %q}}: no key starts with %q", n, tr.Name, u.arg, u.arg+".")
				}
			}
		}
	}
}

// TestBareTextFinds keeps the guard honest: it must see words in text,
// visible attributes and text inputs, and nothing in actions, code or
// hidden values.
func TestBareTextFinds(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want int
	}{
		{`<h1>{{t "x"}}</h1>`, 0},
		{`<h1>Sign in</h1>`, 1},
		{`<p>{{.Name}} · {{t "x"}} (3)</p>`, 0},
		{`<p>{{.Name}} since {{.Year}}</p>`, 1},
		{`<input name="q" placeholder="city code">`, 1},
		{`<a href="/x" aria-label="Value of {{.Name}}">{{.Name}}</a>`, 1},
		{`<input type="hidden" name="status" value="closed"><input name="n" value="Index {{.Y}}">`, 1},
		{`<option value="yes">{{t "yes"}}</option>`, 0},
		{`<p>{{t "api"}} <code>Authorization: Bearer &lt;token&gt;</code></p>`, 0},
		{`<footer>CityLens · &copy; 2026</footer>`, 0},
		{`{{define "title"}}Edit {{.Name}}{{end}}`, 1},
		{`{{if .X}}<td>{{t "a"}}</td>{{else}}<td>none</td>{{end}}`, 1},
		{`<!-- a comment --><tr{{if .Bad}} class="invalid"{{end}}>`, 0},
	} {
		trees, err := templateTrees("t", tc.src)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, tr := range trees {
			var b strings.Builder
			flatten(tr.Root, &b, new([]catalogueUse))
			got += len(bareText(b.String()))
		}
		if got != tc.want {
			t.Errorf("%s: %d findings, want %d", tc.src, got, tc.want)
		}
	}
}

// TestCodesHaveNames checks that every navigation label is a key and that
// every role, membership status, account status, edition status,
// submission state and job state has a name in the catalogues.
func TestCodesHaveNames(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	viewers := []Viewer{{}}
	for _, r := range accounts.Roles {
		viewers = append(viewers, Viewer{User: accounts.User{ID: 1, Role: r}})
	}
	for _, v := range viewers {
		for _, l := range s.nav(v) {
			if !cat.Has(l.Label) {
				t.Errorf("navigation of %q: label %q is not a catalogue key", v.User.Role, l.Label)
			}
		}
	}
	codes := map[string][]string{
		"member.status":  members.Statuses,
		"user.status":    {accounts.StatusActive, accounts.StatusInvited, accounts.StatusDisabled},
		"edition.status": {catalogue.StatusDraft, catalogue.StatusOpen, catalogue.StatusClosed},
		"dc.state":       {datacall.StateDraft, datacall.StateSubmitted, datacall.StateReturned, datacall.StateAccepted},
		"partner.kind":   members.PartnerKinds,
		"cat.tier":       {catalogue.TierCore, catalogue.TierAdvanced},
		"cat.change":     {"direction", "unit", "min", "max"},
	}
	for _, r := range accounts.Roles {
		codes["role"] = append(codes["role"], string(r))
	}
	for _, st := range jobs.States {
		codes["job.state"] = append(codes["job.state"], string(st))
	}
	for prefix, cs := range codes {
		for _, c := range cs {
			if !cat.Has(prefix + "." + c) {
				t.Errorf("%s %q has no name: add the key %q", prefix, c, prefix+"."+c)
			}
		}
	}
	if got := label(cat, i18n.Korean, "role", accounts.RoleAdmin); got == string(accounts.RoleAdmin) || got == accounts.RoleAdmin.Label() {
		t.Errorf("Korean name of the admin role: %q", got)
	}
	if got := label(cat, i18n.English, "job.state", "new-state"); got != "new-state" {
		t.Errorf("an unknown code shows as %q, want itself", got)
	}
}

// keyArgs are the Go functions that take a catalogue key (or, for label, a
// key prefix) and the position of that argument.
var keyArgs = map[string]int{"tr": 1, "redirectFlash": 3, "worded": 1, "wordedStatus": 1, "T": 1, "label": 2}

// TestGoTextKeysExist checks every key the package's Go code names, so a
// typo fails here rather than showing "[key]" on a page.
func TestGoTextKeysExist(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := cat.Keys()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	areaFiles, err := filepath.Glob("*/*.go") // the areas'
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, areaFiles...)
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			pos, ok := keyArgs[name]
			if !ok || pos >= len(call.Args) {
				return true
			}
			lit, ok := call.Args[pos].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if name == "label" {
				i := sort.SearchStrings(keys, key+".")
				if i == len(keys) || !strings.HasPrefix(keys[i], key+".") {
					t.Errorf("%s: label prefix %q has no keys", fset.Position(lit.Pos()), key)
				}
			} else if !cat.Has(key) {
				t.Errorf("%s: %s(%q): no such key in the catalogues", fset.Position(lit.Pos()), name, key)
			}
			return true
		})
	}
	if checked < 20 {
		t.Errorf("only %d keys found in Go code: is the scan still finding the calls?", checked)
	}
}
