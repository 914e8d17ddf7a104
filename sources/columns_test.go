package sources

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDefaultColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entity Entity
		fields []string
	}{
		{Cooperatives, []string{
			"avg_income", "commune", "commune_code", "dissolved_on", "district", "founded_on", "key_officers", "members", "name",
			"officers_refreshed", "officers_trained", "rating", "registration_code", "revenue", "score", "sector", "status", "workers",
		}},
		{CooperativeGroups, []string{"certificate_no", "commune", "commune_code", "district", "founded_on", "members", "name", "sector", "status"}},
		{Activities, []string{"commune", "cooperative_code", "district", "held_on", "kind", "participants", "quantity", "source_id", "title"}},
		{"farms", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.entity), func(t *testing.T) {
			t.Parallel()
			cols := DefaultColumns(tt.entity)
			var fields []string
			for f := range cols {
				fields = append(fields, f)
			}
			slices.Sort(fields)
			assertEqual(t, "fields", fields, tt.fields)
			if cols == nil {
				return
			}
			cols["commune"][0] = "changed"
			if DefaultColumns(tt.entity)["commune"][0] == "changed" {
				t.Error("DefaultColumns shares its slices with the caller")
			}
		})
	}
}

func TestConfiguredColumns(t *testing.T) {
	t.Parallel()
	merged := mergeColumns(CooperativeGroups, map[string][]string{"name": {"Tên tổ"}, "leader": {"Tổ trưởng"}})
	assertEqual(t, "name", merged["name"], []string{"Tên tổ"})
	assertEqual(t, "leader", merged["leader"], []string{"Tổ trưởng"})
	assertEqual(t, "commune", merged["commune"], DefaultColumns(CooperativeGroups)["commune"])

	// "Tên THT" no longer names a field once name has its own aliases.
	path := filepath.Join(t.TempDir(), "g.csv")
	if err := os.WriteFile(path, []byte("Tên THT,Tên tổ,Xã,Tổ trưởng\nA,THT A,An Phú,Bà B\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := batchesOf(t, FileConfig{Name: "g", Entity: CooperativeGroups, Kind: KindCSV, Path: path, Columns: map[string][]string{"name": {"Tên tổ"}, "leader": {"Tổ trưởng"}}})[0]
	assertEqual(t, "headers", b.Info().Headers, map[string]string{"name": "Tên tổ", "commune": "Xã", "leader": "Tổ trưởng"})
	var got Record
	if err := b.Each(context.Background(), func(r Record) error { got = r; return nil }); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "name", got.Fields["name"], Cell{Column: "B", Header: "Tên tổ", Value: "THT A"})
}
