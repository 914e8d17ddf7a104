package notify

// labels are the words of a digest in one language.
type labels struct {
	Title, DataAsOf, PeriodPassed, DaysLeft, Headline                                 string
	Code, Indicator, Actual, ExpectedNow, Target, OfExpected, Status, Projected, Pace string
	PerWeek, CoverageGap, CommunesIn, DistrictsWord, NotReporting, AllReporting       string
	Rejects, RejectsNone, RowsWord, FilesWord, Sources, LevelProvince, DaysWord       string
	DistrictTable, NoTargetNote                                                       string
	Change, ChangesTitle, ChangesSince, NoEarlier, NothingChanged                     string
	NewlyLagging, Recovered, NewlyMet, NewlyShort, Total                              string
	Freshness, Never, Trace, RowsAccepted                                             string
	Statuses                                                                          map[string]string
	Entities                                                                          map[string]string
}

var vi = labels{
	Title: "BẢN TIN TIẾN ĐỘ KẾ HOẠCH", DataAsOf: "số liệu đến ngày", PeriodPassed: "đã qua",
	DaysLeft: "còn", Headline: "Tổng quan", Code: "Mã", Indicator: "Chỉ tiêu", Actual: "Thực hiện",
	ExpectedNow: "Cần đạt đến nay", Target: "Mục tiêu", OfExpected: "% so với cần đạt", Status: "Đánh giá",
	Projected: "Dự báo cuối kỳ", Pace: "Tốc độ cần/tuần", PerWeek: "/tuần",
	CoverageGap: "Xã chưa đạt chỉ tiêu", CommunesIn: "xã ở", DistrictsWord: "huyện",
	NotReporting: "Huyện chưa gửi số liệu", AllReporting: "Tất cả các huyện đã gửi số liệu.",
	Rejects: "Dòng số liệu bị từ chối", RejectsNone: "Không có dòng nào bị từ chối.", RowsWord: "dòng",
	FilesWord: "tệp", Sources: "Nguồn số liệu", LevelProvince: "Toàn tỉnh", DaysWord: "ngày",
	DistrictTable: "Theo huyện", NoTargetNote: "không giao chỉ tiêu riêng",
	Change: "Thay đổi", ChangesTitle: "Thay đổi", ChangesSince: "từ ngày",
	NoEarlier: "chưa có số liệu kỳ trước để so sánh", NothingChanged: "không có thay đổi",
	NewlyLagging: "Mới chậm hoặc có nguy cơ chậm", Recovered: "Trở lại đúng tiến độ",
	NewlyMet: "xã mới đạt chỉ tiêu", NewlyShort: "xã không còn đạt chỉ tiêu", Total: "Tổng",
	Freshness: "Tệp số liệu gần nhất của từng huyện", Never: "chưa gửi",
	Trace: "Nguồn số liệu của từng chỉ tiêu", RowsAccepted: "dòng được nhận",
	Statuses: map[string]string{
		"achieved": "đã đạt", "on_track": "đúng tiến độ", "at_risk": "có nguy cơ chậm",
		"behind": "chậm tiến độ", "no_data": "chưa có số liệu", "no_target": "không giao chỉ tiêu",
	},
	Entities: map[string]string{
		"cooperatives": "hợp tác xã", "cooperative_groups": "tổ hợp tác", "activities": "hoạt động hỗ trợ",
	},
}

var en = labels{
	Title: "PLAN PROGRESS DIGEST", DataAsOf: "data as of", PeriodPassed: "elapsed", DaysLeft: "left",
	Headline: "Overview", Code: "Code", Indicator: "Target", Actual: "Actual", ExpectedNow: "Expected by now",
	Target: "Target", OfExpected: "% of expected", Status: "Status", Projected: "Projected at end",
	Pace: "Pace needed/week", PerWeek: "/week", CoverageGap: "Communes short of the target",
	CommunesIn: "communes in", DistrictsWord: "districts", NotReporting: "Districts not reporting",
	AllReporting: "Every district has reported.", Rejects: "Rejected rows", RejectsNone: "No rows were rejected.",
	RowsWord: "rows", FilesWord: "files", Sources: "Data sources", LevelProvince: "Province",
	DaysWord: "days", DistrictTable: "By district", NoTargetNote: "no target of its own",
	Change: "Change", ChangesTitle: "What changed", ChangesSince: "since",
	NoEarlier: "no earlier snapshot to compare with", NothingChanged: "nothing changed",
	NewlyLagging: "Newly lagging", Recovered: "Recovered",
	NewlyMet: "communes newly met the target", NewlyShort: "communes no longer meet the target", Total: "Total",
	Freshness: "Last file applied, by district", Never: "never",
	Trace: "Where each target's figures come from", RowsAccepted: "rows accepted",
	Statuses: map[string]string{
		"achieved": "achieved", "on_track": "on track", "at_risk": "at risk", "behind": "behind",
		"no_data": "no data", "no_target": "no target",
	},
	Entities: map[string]string{
		"cooperatives": "cooperatives", "cooperative_groups": "cooperative groups", "activities": "support activities",
	},
}

func labelsFor(lang string) labels {
	if lang == "en" {
		return en
	}
	return vi
}
