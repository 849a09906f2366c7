package prize

// The real prize's tracks and the default application form, as an edition
// is seeded (Service.SeedEdition); the administrator edits them after.

// Track codes of the seeded tracks.
const (
	TrackTech       = "tech-innovacity"
	TrackHuman      = "human-centricity"
	TrackLeadership = "leadership"
	TrackSpecial    = "special-mention"
)

// DefaultTracks are the Seoul Smart City Prize's tracks.
func DefaultTracks(edition string) []Track {
	return []Track{
		{Edition: edition, Code: TrackTech, Kind: KindMain, Position: 1,
			Name: "Tech-InnovaCity", NameKO: "테크-이노바시티",
			Description:   "Innovative policies and technologies that solve urban problems: mobility, safety, welfare, environment, energy, culture and governance.",
			DescriptionKO: "도시 문제를 해결하는 혁신적인 정책과 기술: 교통, 안전, 복지, 환경, 에너지, 문화, 거버넌스."},
		{Edition: edition, Code: TrackHuman, Kind: KindMain, Position: 2,
			Name: "Human-CentriCity", NameKO: "휴먼-센트리시티",
			Description:   "Digital inclusion: projects that bring the elderly, youth, people with disabilities, low-income residents and migrants into the digital city.",
			DescriptionKO: "디지털 포용: 노인, 청소년, 장애인, 저소득층 주민, 이주민이 디지털 도시에 함께하도록 돕는 프로젝트."},
		{Edition: edition, Code: TrackLeadership, Kind: KindLeadership, Position: 3,
			Name: "Leadership", NameKO: "리더십",
			Description:   "Individuals whose leadership made a city smarter and more inclusive.",
			DescriptionKO: "리더십으로 도시를 더 스마트하고 포용적으로 만든 개인."},
		{Edition: edition, Code: TrackSpecial, Kind: KindSpecial, Position: 4,
			Name: "Special Mentions", NameKO: "특별상",
			Description:   "Proposed by partner organisations, judged on their own criteria.",
			DescriptionKO: "파트너 기관이 제안하고, 각 기관의 기준으로 심사합니다.",
			Criteria:      "The partner's criteria are published with the call.",
			CriteriaKO:    "파트너 기관의 기준은 공모와 함께 공개됩니다."},
	}
}

// DefaultEligibility is who may apply to which seeded track: governments,
// corporations and institutions to the project tracks and special
// mentions; individuals to Leadership only, which takes no organisation's
// project (governments may nominate their own leaders, so they stay
// eligible there too).
func DefaultEligibility() []Eligibility {
	var out []Eligibility
	for _, tr := range []string{TrackTech, TrackHuman, TrackLeadership, TrackSpecial} {
		for _, t := range ApplicantTypes {
			ok := t != TypeIndividual
			if tr == TrackLeadership {
				ok = t == TypeIndividual || t == TypeLocalGov
			}
			out = append(out, Eligibility{Track: tr, ApplicantType: t, Eligible: ok})
		}
	}
	return out
}

func opts(pairs ...string) []Option {
	var out []Option
	for i := 0; i+2 < len(pairs)+1; i += 3 {
		out = append(out, Option{Value: pairs[i], Label: pairs[i+1], LabelKO: pairs[i+2]})
	}
	return out
}

func num(x float64) *float64 { return &x }

// DefaultForm is the seeded application form of every track and applicant
// type.
func DefaultForm() *Form {
	stages := opts(
		StageConcept, "Concept", "구상",
		StagePlanned, "Planned", "계획",
		StagePilot, "Pilot", "시범 운영",
		StageOngoing, "Ongoing", "운영 중",
		StageScaled, "Scaled", "확산")
	sdgs := make([]Option, 17)
	for i := range sdgs {
		n := itoa(int64(i + 1))
		sdgs[i] = Option{Value: n, Label: "SDG " + n, LabelKO: "SDG " + n}
	}
	return &Form{Fields: []Field{
		{Key: FieldTitle, Kind: KindText, Required: true, MaxWords: 20, Label: "Project title (English)", LabelKO: "프로젝트 제목 (영어)"},
		{Key: FieldSummary, Kind: KindLongText, Required: true, MaxWords: 300, Label: "Summary (English)", LabelKO: "요약 (영어)",
			Help: "What the project does, for whom, and why it matters.", HelpKO: "프로젝트가 무엇을, 누구를 위해, 왜 하는지 적어 주세요."},
		{Key: FieldOriginal, Kind: KindChoice, Label: "Original language of the project", LabelKO: "프로젝트의 원래 언어",
			Options: opts("en", "English", "영어", "ko", "Korean", "한국어", "other", "Another language", "다른 언어")},
		{Key: "title_original", Kind: KindText, MaxWords: 40, Label: "Title in the original language", LabelKO: "원래 언어로 된 제목",
			ShowIf: &Condition{Field: FieldOriginal, Values: []string{"ko", "other"}}},
		{Key: "summary_original", Kind: KindLongText, MaxWords: 600, Label: "Summary in the original language", LabelKO: "원래 언어로 된 요약",
			ShowIf: &Condition{Field: FieldOriginal, Values: []string{"ko", "other"}}},
		{Key: FieldPlace, Kind: KindPlace, Required: true, Label: "Country and city of the project", LabelKO: "프로젝트의 국가와 도시",
			Help:   "The country, then the city: a member city from the list, or the name of another city.",
			HelpKO: "국가를 고른 다음 도시를 입력하세요. 목록의 회원 도시를 고르거나 다른 도시의 이름을 적습니다."},
		{Key: "problem", Kind: KindLongText, Required: true, MaxWords: 300, Label: "The problem, and the people it affects", LabelKO: "해결하려는 문제와 영향을 받는 사람들"},
		{Key: "target_groups", Kind: KindMulti, Required: true, Label: "Target groups", LabelKO: "대상 집단",
			Options: opts("elderly", "The elderly", "노인", "youth", "Youth", "청소년", "disabilities", "People with disabilities", "장애인",
				"low_income", "Low-income residents", "저소득층 주민", "migrants", "Migrants", "이주민", "all", "All residents", "모든 주민")},
		{Key: FieldStage, Kind: KindChoice, Required: true, Label: "Development stage", LabelKO: "개발 단계", Options: stages,
			Help: "It decides the follow-up a winner gets.", HelpKO: "수상 후 후속 지원의 종류를 정합니다."},
		{Key: "themes", Kind: KindMulti, Required: true, Label: "Themes", LabelKO: "주제",
			Options: opts("mobility", "Mobility", "교통", "safety", "Safety", "안전", "welfare", "Welfare", "복지", "environment", "Environment", "환경",
				"energy", "Energy", "에너지", "culture", "Culture", "문화", "governance", "Governance", "거버넌스", "inclusion", "Digital inclusion", "디지털 포용")},
		{Key: "sdgs", Kind: KindMulti, Label: "Sustainable Development Goals", LabelKO: "지속가능발전목표", Options: sdgs},
		{Key: "esg_pillar", Kind: KindChoice, Label: "ESG pillar", LabelKO: "ESG 영역",
			Options: opts("environmental", "Environmental", "환경", "social", "Social", "사회", "governance", "Governance", "거버넌스")},
		{Key: "budget", Kind: KindMoney, Min: num(0), Label: "Budget", LabelKO: "예산"},
		{Key: "funding", Kind: KindLongText, MaxWords: 150, Label: "Funding sources", LabelKO: "재원"},
		{Key: "start_date", Kind: KindDate, Label: "Start date", LabelKO: "시작일"},
		{Key: "partners", Kind: KindLongText, MaxWords: 150, Label: "Partners", LabelKO: "협력 기관"},
		{Key: "results", Kind: KindLongText, MaxWords: 400, Label: "Results so far", LabelKO: "지금까지의 성과",
			ShowIf: &Condition{Field: FieldStage, Values: []string{StagePilot, StageOngoing, StageScaled}}},
		{Key: "beneficiaries", Kind: KindNumber, Min: num(0), Label: "People reached so far", LabelKO: "지금까지 혜택을 받은 사람 수",
			ShowIf: &Condition{Field: FieldStage, Values: []string{StagePilot, StageOngoing, StageScaled}}},
		{Key: "evidence", Kind: KindFile, MaxFiles: 5, Label: "Evidence and attachments (PDF, PNG, JPEG)", LabelKO: "증빙 자료와 첨부 파일 (PDF, PNG, JPEG)"},
		{Key: "video", Kind: KindLink, Label: "Video link", LabelKO: "동영상 링크"},
		{Key: FieldLibraryConsent, Kind: KindChoice, Label: "May the network publish this project as a case in its practice library?",
			LabelKO: "이 프로젝트를 네트워크의 사례 라이브러리에 사례로 공개해도 됩니까?",
			Help:    "Without an answer the project is not published.",
			HelpKO:  "답하지 않으면 공개하지 않습니다.",
			Options: opts(
				"public", "Yes, for everyone", "예, 모두에게 공개",
				"members", "Yes, for member cities only", "예, 회원 도시에만 공개",
				"no", "No", "아니요")},
	}}
}
