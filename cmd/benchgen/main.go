// Command benchgen writes the large cooperative files `make bench` loads: a CSV and an
// XLSX of valid rows spread over the communes of Hậu Giang, written the way district files
// are (Vietnamese headers, numbers and dates), so the bench exercises the whole pipeline.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"

	"github.com/coopwatch/coopwatch/gazetteer"
)

var header = []string{"STT", "Tên hợp tác xã", "Mã số HTX", "Xã, phường, thị trấn", "Ngày thành lập",
	"Số thành viên", "Số lao động", "Doanh thu (triệu đồng)", "Xếp loại"}

func main() {
	out := flag.String("out", "bench-data", "output `folder`")
	csvRows := flag.Int("csv-rows", 1_000_000, "rows of the CSV")
	xlsxRows := flag.Int("xlsx-rows", 200_000, "rows of the XLSX")
	flag.Parse()
	g, err := gazetteer.Load(gazetteer.PreReform, "93")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := writeCSV(filepath.Join(*out, "cooperatives.csv"), *csvRows, g); err != nil {
		log.Fatal(err)
	}
	if err := writeXLSX(filepath.Join(*out, "cooperatives.xlsx"), *xlsxRows, g); err != nil {
		log.Fatal(err)
	}
}

// row i is a valid cooperative: a unique code, a real commune, a past date.
func row(i int, g *gazetteer.Gazetteer) []string {
	c := g.Communes[i%len(g.Communes)]
	ratings := []string{"Tốt", "Khá", "Trung bình", "Yếu"}
	return []string{
		fmt.Sprint(i + 1), fmt.Sprintf("HTX Nông nghiệp số %d", i+1), fmt.Sprintf("63%08d", i),
		c.FullName, fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, 2010+i%16),
		fmt.Sprint(7 + i%90), fmt.Sprint(5 + i%40), fmt.Sprintf("%d,%d", 200+i%3000, i%10), ratings[i%4],
	}
}

func writeCSV(path string, n int, g *gazetteer.Gazetteer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(buf)
	w.Write(header) //nolint:errcheck // Flush reports
	for i := range n {
		w.Write(row(i, g)) //nolint:errcheck
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func writeXLSX(path string, n int, g *gazetteer.Gazetteer) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	cells := func(values []string) []any {
		out := make([]any, len(values))
		for i, v := range values {
			out[i] = v
		}
		return out
	}
	if err := sw.SetRow("A1", cells(header)); err != nil {
		return err
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells(row(i, g))); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}
