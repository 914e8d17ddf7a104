package sources

// Header aliases shared by more than one entity.
var (
	communeAliases     = []string{"Xã, phường, thị trấn", "Xã", "Xã/phường", "Địa bàn xã", "Đơn vị hành chính"}
	communeCodeAliases = []string{"Mã xã"}
	districtAliases    = []string{"Huyện", "Huyện, thị xã, thành phố"}
	sectorAliases      = []string{"Lĩnh vực", "Lĩnh vực hoạt động", "Ngành nghề"}
	statusAliases      = []string{"Tình trạng", "Tình trạng hoạt động"}
)

// defaultColumns maps each entity's target fields to the headers district offices use for
// them. The pipeline relies on these field names.
var defaultColumns = map[Entity]map[string][]string{
	Cooperatives: {
		"registration_code":  {"Mã số HTX", "Mã số hợp tác xã", "Mã số đăng ký", "Số GCN ĐKHTX", "Mã số thuế"},
		"name":               {"Tên HTX", "Tên hợp tác xã"},
		"commune":            communeAliases,
		"commune_code":       communeCodeAliases,
		"district":           districtAliases,
		"sector":             sectorAliases,
		"founded_on":         {"Ngày thành lập", "Ngày đăng ký", "Ngày cấp GCN"},
		"dissolved_on":       {"Ngày giải thể"},
		"status":             statusAliases,
		"members":            {"Số thành viên", "Thành viên"},
		"workers":            {"Số lao động", "Lao động", "Số lao động thường xuyên"},
		"revenue":            {"Doanh thu", "Doanh thu bình quân", "Tổng doanh thu"},
		"avg_income":         {"Thu nhập bình quân", "Thu nhập bình quân của người lao động", "Thu nhập BQ"},
		"rating":             {"Xếp loại", "Kết quả xếp loại", "Phân loại", "Đánh giá, xếp loại"},
		"score":              {"Điểm", "Điểm đánh giá", "Tổng điểm"},
		"key_officers":       {"Cán bộ chủ chốt / Tổng số", "Số cán bộ chủ chốt"},
		"officers_trained":   {"Cán bộ chủ chốt / Đã qua đào tạo", "Đã qua đào tạo"},
		"officers_refreshed": {"Cán bộ chủ chốt / Được bồi dưỡng", "Được bồi dưỡng"},
	},
	CooperativeGroups: {
		"certificate_no": {"Số hợp đồng hợp tác", "Số chứng thực", "Số HĐHT"},
		"name":           {"Tên tổ hợp tác", "Tên THT"},
		"commune":        communeAliases,
		"commune_code":   communeCodeAliases,
		"district":       districtAliases,
		"sector":         sectorAliases,
		"founded_on":     {"Ngày thành lập", "Ngày chứng thực"},
		"members":        {"Số thành viên", "Số tổ viên", "Thành viên"},
		"status":         statusAliases,
	},
	Activities: {
		"source_id":        {"Mã hoạt động", "Mã"},
		"kind":             {"Loại hoạt động", "Hình thức"},
		"title":            {"Nội dung", "Tên hoạt động"},
		"held_on":          {"Ngày tổ chức", "Ngày", "Thời gian"},
		"district":         {"Huyện"},
		"commune":          {"Xã"},
		"quantity":         {"Số lượng", "Số lớp", "Số cuốn"},
		"participants":     {"Số người tham dự", "Số học viên", "Số người"},
		"cooperative_code": {"Mã số HTX"},
	},
}

// DefaultColumns returns the default header aliases of entity e, target field -> aliases, as
// a fresh map the caller may change; nil for an unknown entity.
func DefaultColumns(e Entity) map[string][]string {
	defaults, ok := defaultColumns[e]
	if !ok {
		return nil
	}
	out := make(map[string][]string, len(defaults))
	for field, aliases := range defaults {
		out[field] = append([]string(nil), aliases...)
	}
	return out
}

// mergeColumns lays configured aliases over the defaults of e: a configured field replaces
// that field's default aliases, other defaults stay.
func mergeColumns(e Entity, configured map[string][]string) map[string][]string {
	out := DefaultColumns(e)
	if out == nil {
		out = make(map[string][]string, len(configured))
	}
	for field, aliases := range configured {
		out[field] = append([]string(nil), aliases...)
	}
	return out
}
