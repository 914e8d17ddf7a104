package notify

import (
	"cmp"
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed digest.html.tmpl
var digestHTML string

var htmlTemplate = template.Must(template.New("digest").Funcs(template.FuncMap{
	"num":   num,
	"pct":   pct,
	"date":  formatDate,
	"share": FormatPercent,
	// A change is digits, separators and a sign: safe as it is, and "+" stays "+".
	"signed": func(v *float64, decimals int, lang string) template.HTML {
		return template.HTML(signed(v, decimals, lang))
	},
	"lastFile": lastFile,
	"join":     strings.Join,
	"entity":   func(l labels, e string) string { return cmp.Or(l.Entities[e], e) },
}).Parse(digestHTML))

// RenderHTML writes the digest as a standalone HTML page, for email and the archive.
func RenderHTML(w io.Writer, d Digest) error {
	return htmlTemplate.Execute(w, struct {
		Digest
		L           labels
		StatusOrder []string
	}{d, labelsFor(d.Lang), StatusOrder})
}

// formatDate writes dd/mm/yyyy, as Vietnamese documents do, or yyyy-mm-dd in English.
func formatDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format(time.DateOnly)
	}
	return t.Format("02/01/2006")
}
