package notify

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"os"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// chartOut, when set, is where TestRenderChart leaves the PNG for a person to look at.
var chartOut = os.Getenv("COOPWATCH_CHART_OUT")

func ptr(v float64) *float64 { return &v }

// sampleDigest has the 13 targets of the seed plan with every status, nil ratios and a
// ratio above the drawing cap.
func sampleDigest() Digest {
	type row struct {
		code, name, status string
		ratio              *float64
	}
	rows := []row{
		{"T01", "Số hợp tác xã thành lập mới", "achieved", ptr(1.12)},
		{"T02", "Số tổ hợp tác thành lập mới", "on_track", ptr(0.97)},
		{"T03", "Tỷ lệ hợp tác xã hoạt động hiệu quả (khá, tốt)", "at_risk", ptr(0.81)},
		{"T04", "Số thành viên hợp tác xã", "behind", ptr(0.42)},
		{"T05", "Doanh thu bình quân của hợp tác xã", "no_data", nil},
		{"T06", "Thu nhập bình quân của người lao động thường xuyên", "on_track", ptr(1.01)},
		{"T07", "Số cán bộ quản lý hợp tác xã được đào tạo, bồi dưỡng kiến thức", "achieved", ptr(2.6)},
		{"T08", "Số cán bộ được bồi dưỡng, tập huấn lại", "behind", ptr(0)},
		{"T09", "Số hợp tác xã được hỗ trợ xúc tiến thương mại", "at_risk", ptr(0.77)},
		{"T10", "Số xã có hợp tác xã nông nghiệp", "achieved", ptr(1.0)},
		{"T11", "Số hợp tác xã ứng dụng công nghệ cao", "no_data", nil},
		{"T12", "Số hợp tác xã tham gia chuỗi giá trị", "on_track", ptr(0.93)},
		{"T13", "Số hợp tác xã giải thể, ngừng hoạt động được xử lý dứt điểm", "behind", ptr(0.15)},
	}
	d := Digest{
		Lang:     "vi",
		Province: "Tỉnh Quảng Trị",
		PlanName: "Kế hoạch phát triển kinh tế tập thể, hợp tác xã 2026–2030",
		AsOf:     time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		Headline: map[string]int{},
	}
	for _, r := range rows {
		d.Targets = append(d.Targets, TargetLine{Code: r.code, Name: r.name, Status: r.status, Ratio: r.ratio})
		d.Headline[r.status]++
	}
	return d
}

func TestRenderChart(t *testing.T) {
	t.Parallel()
	three := sampleDigest()
	three.Targets = three.Targets[:3]
	allNil := sampleDigest()
	for i := range allNil.Targets {
		allNil.Targets[i].Ratio, allNil.Targets[i].Status = nil, "no_data"
	}
	english := sampleDigest()
	english.Lang = "en"

	tests := []struct {
		name string
		d    Digest
		out  string
	}{
		{"13 targets, mixed statuses", sampleDigest(), "chart_vi.png"},
		{"three targets", three, ""},
		{"no ratios at all", allNil, ""},
		{"english", english, "chart_en.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := RenderChart(tt.d)
			if err != nil {
				t.Fatalf("RenderChart: %v", err)
			}
			if ct := http.DetectContentType(b); ct != "image/png" {
				t.Errorf("content type %q, want image/png", ct)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("decode png: %v", err)
			}
			want := image.Pt(900, 60*len(tt.d.Targets)+120)
			if got := img.Bounds().Size(); got != want {
				t.Errorf("size %v, want %v", got, want)
			}
			if chartOut != "" && tt.out != "" {
				if err := os.WriteFile(chartOut+"/"+tt.out, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// Names that arrive decomposed (NFD, as some spreadsheets store them) draw exactly like
// composed ones: the chart normalizes to NFC, which the font's precomposed glyphs need.
func TestRenderChartNormalizesText(t *testing.T) {
	t.Parallel()
	composed := sampleDigest()
	decomposed := sampleDigest()
	decomposed.Province = norm.NFD.String(decomposed.Province)
	for i := range decomposed.Targets {
		decomposed.Targets[i].Name = norm.NFD.String(decomposed.Targets[i].Name)
	}
	if decomposed.Targets[0].Name == composed.Targets[0].Name {
		t.Fatal("test data did not decompose")
	}
	a, err := RenderChart(composed)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RenderChart(decomposed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("NFD names render differently from NFC names")
	}
}

func TestRenderChartNoTargets(t *testing.T) {
	t.Parallel()
	if _, err := RenderChart(Digest{}); err == nil {
		t.Fatal("RenderChart of a digest without targets: want an error")
	}
}
