package notify

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"golang.org/x/text/unicode/norm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart geometry, in pixels, and the drawing cap for the ratio axis.
const (
	chartWidth     = 900
	chartRowHeight = 60
	chartMargin    = 120
	chartDPI       = 96
	chartCapPct    = 200.0 // bars stop here; the printed value is the real one
	chartAxisMax   = 245.0 // room right of the cap for the value labels
	chartNameMax   = 40    // runes of a target name in the y labels
	// Values of bars from here to 100% go inside the bar, clear of the 100% line.
	chartInsideFrom = 70.0
)

var statusColors = map[string]color.RGBA{
	"achieved": {0x1b, 0x7f, 0x3b, 0xff}, // dark green
	"on_track": {0x66, 0xbb, 0x6a, 0xff}, // light green
	"at_risk":  {0xf0, 0xa2, 0x02, 0xff}, // amber
	"behind":   {0xd3, 0x2f, 0x2f, 0xff}, // red
	"no_data":  {0x9e, 0x9e, 0x9e, 0xff}, // grey
}

var chartSans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// RenderChart draws one horizontal bar per target: actual as a percent of what should be
// reached by now, a line at 100%, colours by status. The PNG is 900 px wide and
// 60 px per target + 120 px high. Text is NFC so Vietnamese marks sit where they belong.
func RenderChart(d Digest) ([]byte, error) {
	n := len(d.Targets)
	if n == 0 {
		return nil, errors.New("chart: the digest has no targets")
	}
	l := labelsFor(d.Lang)

	p := plot.New()
	p.Title.Text = nfc(fmt.Sprintf("%s · %s %s", d.Province, l.DataAsOf, formatDate(d.AsOf, d.Lang)))
	p.Title.TextStyle.Font = font.From(chartSans, 15)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = nfc(l.OfExpected)
	p.X.Label.TextStyle.Font = font.From(chartSans, 11)
	p.X.Tick.Label.Font = font.From(chartSans, 10)
	p.Y.Tick.Label.Font = font.From(chartSans, 11)
	p.X.Min, p.X.Max = 0, chartAxisMax
	p.X.Tick.Marker = plot.ConstantTicks(percentTicks(d.Lang))

	grid := plotter.NewGrid()
	grid.Horizontal.Width = 0
	grid.Vertical.Color = color.Gray{Y: 0xe0}
	p.Add(grid)

	// The first target goes on top: target i sits at y = n-1-i.
	names := make([]string, n)
	var outside, inside valueLabels
	for i, t := range d.Targets {
		y := float64(n - 1 - i)
		names[n-1-i] = nfc(t.Code + " " + truncateRunes(strings.TrimSpace(nfc(t.Name)), chartNameMax))

		if t.Ratio == nil || math.IsNaN(*t.Ratio) || math.IsInf(*t.Ratio, 0) {
			// No bar; say why in place of the value.
			outside.add(0, y, nfc(l.Statuses[t.Status]), color.Gray{Y: 0x60})
			continue
		}
		x := min(max(*t.Ratio*100, 0), chartCapPct)
		if x > 0 {
			bar, err := barPolygon(x, y, statusColor(t.Status))
			if err != nil {
				return nil, fmt.Errorf("chart: bar for %s: %w", t.Code, err)
			}
			p.Add(bar)
		}
		label := FormatPercent(*t.Ratio, d.Lang)
		if x >= chartInsideFrom && x < 100 {
			// Outside, the value would run over the 100% line: write it inside the bar's end.
			inside.add(x, y, label, insideTextColor(t.Status))
		} else {
			outside.add(x, y, label, color.Gray{Y: 0x30})
		}
	}

	ref, err := plotter.NewLine(plotter.XYs{{X: 100, Y: -0.6}, {X: 100, Y: float64(n) - 0.4}})
	if err != nil {
		return nil, fmt.Errorf("chart: reference line: %w", err)
	}
	ref.Color = color.Gray{Y: 0x40}
	ref.Width = vg.Points(1.2)
	ref.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(ref)

	for _, v := range []struct {
		labels valueLabels
		align  text.XAlignment
		dx     vg.Length
	}{{outside, text.XLeft, vg.Points(4)}, {inside, text.XRight, -vg.Points(4)}} {
		if len(v.labels.Labels) == 0 {
			continue
		}
		lbls, err := plotter.NewLabels(v.labels.XYLabels)
		if err != nil {
			return nil, fmt.Errorf("chart: value labels: %w", err)
		}
		for i, c := range v.labels.colors {
			lbls.TextStyle[i] = text.Style{
				Color: c, Font: font.From(chartSans, 11), XAlign: v.align, YAlign: text.YCenter,
				Handler: plot.DefaultTextHandler,
			}
		}
		lbls.Offset = vg.Point{X: v.dx}
		p.Add(lbls)
	}

	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4

	img := image.NewRGBA(image.Rect(0, 0, chartWidth, chartRowHeight*n+chartMargin))
	c := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(chartDPI))
	pad := vg.Points(8)
	p.Draw(draw.Crop(draw.New(c), pad, -pad, pad/2, -pad))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// valueLabels collects the text printed at bar ends.
type valueLabels struct {
	plotter.XYLabels
	colors []color.Color
}

func (v *valueLabels) add(x, y float64, label string, c color.Color) {
	v.XYs = append(v.XYs, plotter.XY{X: x, Y: y})
	v.Labels = append(v.Labels, label)
	v.colors = append(v.colors, c)
}

// insideTextColor keeps a value readable on its bar: white on dark fills, dark on light ones.
func insideTextColor(status string) color.Color {
	switch status {
	case "achieved", "behind":
		return color.White
	}
	return color.Gray{Y: 0x20}
}

// barPolygon is a filled bar from 0 to x, centred on y.
func barPolygon(x, y float64, fill color.Color) (*plotter.Polygon, error) {
	const half = 0.32
	poly, err := plotter.NewPolygon(plotter.XYs{
		{X: 0, Y: y - half}, {X: x, Y: y - half}, {X: x, Y: y + half}, {X: 0, Y: y + half},
	})
	if err != nil {
		return nil, err
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	return poly, nil
}

func percentTicks(lang string) []plot.Tick {
	var ticks []plot.Tick
	for v := 0.0; v <= chartCapPct; v += 50 {
		ticks = append(ticks, plot.Tick{Value: v, Label: FormatNumber(v, 0, lang) + "%"})
	}
	return ticks
}

func statusColor(status string) color.Color {
	if c, ok := statusColors[status]; ok {
		return c
	}
	return statusColors["no_data"]
}

func nfc(s string) string { return norm.NFC.String(s) }
