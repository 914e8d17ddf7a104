package notify

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSigned(t *testing.T) {
	t.Parallel()
	v := func(f float64) *float64 { return &f }
	for _, c := range []struct {
		v        *float64
		decimals int
		lang     string
		want     string
	}{
		{v(3), 0, "vi", "+3"},
		{v(-1.5), 1, "vi", "-1,5"},
		{v(1234.5), 1, "en", "+1,234.5"},
		{v(0), 1, "vi", "0"},
		{v(0.04), 1, "en", "0"}, // rounds to nothing: no sign
		{v(-0.04), 1, "en", "0"},
		{nil, 0, "vi", "–"},
	} {
		if got := signed(c.v, c.decimals, c.lang); got != c.want {
			t.Errorf("signed(%v, %d, %s) = %q, want %q", c.v, c.decimals, c.lang, got, c.want)
		}
	}
}

func TestRenderTextChanges(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, lang string
		changes    *Changes
		want       string
	}{
		{"no earlier snapshot vi", "vi", nil, "\nThay đổi: chưa có số liệu kỳ trước để so sánh.\n"},
		{"no earlier snapshot en", "en", nil, "\nWhat changed: no earlier snapshot to compare with.\n"},
		{"nothing changed vi", "vi", &Changes{Since: since}, "\nThay đổi từ ngày 21/11/2026: không có thay đổi.\n"},
		{"nothing changed en", "en", &Changes{Since: since}, "\nWhat changed since 2026-11-21: nothing changed.\n"},
		{"communes capped", "en", &Changes{Since: since, Communes: []CommuneChange{{Code: "T01", Name: "New groups", Met: 12,
			MetIn: []DistrictCommunes{{District: "Huyện Một", Communes: []string{"Xã A", "Xã B"}, More: 10}}}}},
			"\nWhat changed since 2026-11-21:\n  T01 (New groups): 12 communes newly met the target\n    Huyện Một (12): Xã A, Xã B (+10)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := RenderText(&b, Digest{Lang: c.lang, Changes: c.changes}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), c.want) {
				t.Errorf("text does not contain %q:\n%s", c.want, b.String())
			}
			b.Reset()
			if err := RenderHTML(&b, Digest{Lang: c.lang, Changes: c.changes}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The preview of an email is the message the server receives, but for its Date and MIME
// boundaries.
func TestEmailWriteMessageIsWhatIsSent(t *testing.T) {
	t.Parallel()
	m := sampleMessage(t)
	fs := newFakeSMTP(t, 0)
	e, err := NewEmail(fs.config())
	if err != nil {
		t.Fatal(err)
	}
	var preview bytes.Buffer
	if err := e.WriteMessage(&preview, m); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	fs.mu.Lock()
	sent := fs.mail[0].data
	fs.mu.Unlock()

	date := regexp.MustCompile(`(?m)^Date: .*\r?\n`)
	boundary := regexp.MustCompile(`[0-9a-f]{40,}`)
	normal := func(b []byte) string {
		s := strings.ReplaceAll(string(b), "\r\n", "\n")
		s = date.ReplaceAllString(s, "Date: <date>\n")
		seen := map[string]string{}
		return boundary.ReplaceAllStringFunc(s, func(b string) string {
			if _, ok := seen[b]; !ok {
				seen[b] = "<boundary " + string(rune('A'+len(seen))) + ">"
			}
			return seen[b]
		})
	}
	if got, want := normal(preview.Bytes()), normal(sent); got != want {
		t.Errorf("preview differs from the message sent.\npreview:\n%s\nsent:\n%s", got, want)
	}
	if !strings.Contains(preview.String(), "multipart/related") || !strings.Contains(preview.String(), "Content-Id: <chart>") &&
		!strings.Contains(preview.String(), "Content-ID: <chart>") {
		t.Errorf("preview has no inline chart:\n%s", preview.String())
	}
}
