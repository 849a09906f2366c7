package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/members"
)

// The knowledge exchange's demo data: the practice library topped up to
// about DemoPractices cases (the prize editions' consenting applications
// and winners come first; generated practices of the demo cities fill the
// rest), and partnerships between cities, among them Rotterdam–Busan and
// Seoul–Dublin, with activities and every status. All labelled demo.

// Kinds of what the exchange's seeding records it created.
const (
	SeededPractices   = "exchange-practices"
	SeededPartnership = "exchange-partnership"
)

// DemoPractices is about how many practices the demo library holds.
const DemoPractices = 300

// demoPartnerCities are cities of partnerships that the demo's member
// cities (the largest of each region) leave out: Rotterdam and Dublin,
// in the directory as candidates, with WUP 2018's coordinates and 2020
// populations.
var demoPartnerCities = []members.City{
	{Code: "nl-rotterdam", Name: "Rotterdam", LocalName: "Rotterdam", Country: "NLD", RegionCode: "EU", OfficeCode: "office-europe",
		Latitude: 51.9225, Longitude: 4.4792, Population: 1_010_000, Status: members.StatusCandidate, Names: members.CityNames{Ko: "로테르담"}},
	{Code: "ie-dublin", Name: "Dublin", LocalName: "Baile Átha Cliath", Country: "IRL", RegionCode: "EU", OfficeCode: "office-europe",
		Latitude: 53.3331, Longitude: -6.2489, Population: 1_228_000, Status: members.StatusCandidate, Names: members.CityNames{En: "Dublin", Ko: "더블린"}},
}

// demoActivity is an activity of a demo partnership.
type demoActivity struct{ kind, title, from, to, report string }

// demoPartnership is a demo partnership and the statuses it went through
// after its proposal.
type demoPartnership struct {
	key                   string
	a, b, partner         string
	title, titleKO        string
	summary, summaryKO    string
	themes                []string
	start, end, agreement string
	moves                 []string
	outcomes              string
	members               bool // members only
	activities            []demoActivity
}

var demoPartnerships = []demoPartnership{
	{key: "rotterdam-busan", a: "nl-rotterdam", b: "kr-busan", title: "Rotterdam–Busan: shared mobility and smart ports",
		titleKO: "로테르담–부산: 공유 모빌리티와 스마트 항만",
		summary: "Two port cities pair their port authorities and transport departments: port-call data shared " +
			"between the terminals, shared e-scooter and bike hubs at ferry and metro stations, and a joint pilot of " +
			"shore power for ships at berth.",
		summaryKO: "두 항만 도시가 항만 당국과 교통 부서를 연결합니다. 터미널 간 입항 데이터 공유, 여객선·지하철역의 공유 " +
			"전동킥보드·자전거 허브, 정박 선박 육상전원 공동 시범사업을 진행합니다.",
		themes: []string{"mobility", "ports", "energy"}, start: "2023-10-01", agreement: "2023-09-20", moves: []string{exchange.StatusActive},
		outcomes: "A shared port-call data standard adopted by both port authorities; 14 mobility hubs opened in Busan on Rotterdam's model.",
		activities: []demoActivity{
			{"study_visit", "Busan delegation at the Port of Rotterdam", "2024-03-11", "2024-03-15", "Twelve officials visited the port's digital twin and its shore-power berths."},
			{"workshop", "Shared mobility hubs: design and operators", "2024-06-04", "2024-06-05", "Operators and both transport departments agreed a common hub design."},
			{"staff_exchange", "Port data engineers exchange", "2025-02-03", "2025-04-25", "Two engineers of each port authority worked three months in the other city."},
			{"joint_project", "Shore power pilot at two berths", "2025-05-01", "", ""},
		}},
	{key: "seoul-dublin", a: "kr-seoul", b: "ie-dublin", title: "Seoul–Dublin: digital twins and open data",
		titleKO: "서울–더블린: 디지털 트윈과 공공데이터",
		summary: "Seoul and Dublin exchange how they build and govern city digital twins and open-data portals, " +
			"with a joint method for residents' participation in planning with 3D models.",
		summaryKO: "서울과 더블린이 도시 디지털 트윈과 공공데이터 포털의 구축·운영 방식을 교류하고, 3D 모델을 활용한 주민 참여 " +
			"계획 공동 방법론을 만듭니다.",
		themes: []string{"digital twins", "open data", "governance"}, start: "2024-01-15", agreement: "2024-01-10", moves: []string{exchange.StatusActive},
		outcomes: "Dublin's planning consultations use a 3D model on Seoul's pattern; a shared open-data licence checklist.",
		activities: []demoActivity{
			{"workshop", "Governing a city digital twin", "2024-04-22", "2024-04-23", "Both cities' data offices compared access rules and update cycles."},
			{"study_visit", "Dublin at S-Map, Seoul's digital twin", "2024-10-07", "2024-10-10", "The delegation tested S-Map's planning tools with residents' groups."},
		}},
	{key: "seoul-singapore", a: "kr-seoul", b: "sg-singapore", title: "Seoul–Singapore: urban data platforms", titleKO: "서울–싱가포르: 도시 데이터 플랫폼",
		summary: "A three-year exchange on city data platforms and sensor networks.", summaryKO: "도시 데이터 플랫폼과 센서 네트워크에 관한 3년간의 교류.",
		themes: []string{"open data", "sensors"}, start: "2021-03-01", end: "2024-02-28", agreement: "2021-02-15",
		moves: []string{exchange.StatusActive, exchange.StatusCompleted}, outcomes: "A common sensor metadata profile; 40 staff trained.",
		activities: []demoActivity{{"staff_exchange", "Data platform engineers", "2022-05-02", "2022-07-29", "Four engineers exchanged for a quarter."}}},
	{key: "busan-smartgrid", a: "kr-busan", partner: "partner-smart-grid", title: "Busan and the Smart Grid Institute: harbour microgrid",
		titleKO: "부산–스마트그리드연구원: 항만 마이크로그리드", summary: "A proposed microgrid for the harbour's cold-storage warehouses.",
		summaryKO: "항만 냉동창고를 위한 마이크로그리드 제안.", themes: []string{"energy", "ports"}, start: "2026-01-01"},
	{key: "nairobi-kampala", a: "ke-nairobi", b: "ug-kampala", title: "Nairobi–Kampala: digitising informal transport",
		titleKO: "나이로비–캄팔라: 비공식 대중교통의 디지털화", summary: "Mapping matatu and boda-boda routes with their operators.",
		summaryKO: "운영자와 함께 마타투와 보다보다 노선을 지도화합니다.", themes: []string{"mobility", "inclusion"}, start: "2025-09-01",
		activities: []demoActivity{{"workshop", "Route mapping with operators", "2025-11-12", "2025-11-13", "Operators of both cities mapped 60 routes."}}},
	{key: "bogota-medellin", a: "co-bogota", b: "co-medellin", title: "Bogotá–Medellín: cable cars and bus rapid transit",
		titleKO: "보고타–메데인: 케이블카와 간선급행버스", summary: "Integrating cable-car lines with BRT fares.",
		summaryKO: "케이블카 노선과 간선급행버스 요금 통합.", themes: []string{"mobility"}, start: "2020-06-01", agreement: "2020-05-20",
		moves: []string{exchange.StatusActive, exchange.StatusLapsed}, outcomes: "Paused after the first fare study.",
		activities: []demoActivity{{"study_visit", "Metrocable visit", "2021-02-08", "2021-02-10", "Bogotá's TransMiCable team visited Medellín's Metrocable."}}},
	{key: "barcelona-lisboa", a: "es-barcelona", b: "pt-lisboa", title: "Barcelona–Lisbon: superblocks and heat", titleKO: "바르셀로나–리스본: 슈퍼블록과 폭염",
		summary: "Superblocks and shade for heat resilience; shared before publication.", summaryKO: "폭염 대응을 위한 슈퍼블록과 그늘; 발표 전 공유.",
		themes: []string{"climate adaptation", "public space"}, start: "2025-04-01", moves: []string{exchange.StatusActive}, members: true,
		activities: []demoActivity{{"workshop", "Heat maps and superblocks", "2025-06-17", "2025-06-18", "Both cities compared surface-temperature maps."}}},
	{key: "melbourne-auckland", a: "au-melbourne", b: "nz-auckland", title: "Melbourne–Auckland: flood resilience", titleKO: "멜버른–오클랜드: 홍수 회복력",
		summary: "Flood warning and sponge-city works.", summaryKO: "홍수 경보와 스펀지 시티 사업.", themes: []string{"climate adaptation", "water"},
		start: "2022-02-01", end: "2025-01-31", moves: []string{exchange.StatusActive, exchange.StatusCompleted},
		outcomes:   "Auckland adopted Melbourne's warning thresholds; two joint rain-garden pilots.",
		activities: []demoActivity{{"joint_project", "Rain-garden pilots", "2023-03-01", "2024-06-30", "Two pilot streets, monitored for a year."}}},
	{key: "lagos-accra", a: "ng-lagos", b: "gh-accra", title: "Lagos–Accra: waste collection data", titleKO: "라고스–아크라: 폐기물 수거 데이터",
		summary: "Tracking waste collection trucks and informal collectors.", summaryKO: "폐기물 수거 차량과 비공식 수거인 추적.",
		themes: []string{"waste", "data"}, start: "2024-08-01", moves: []string{exchange.StatusActive}},
	{key: "abuja-dakar", a: "ng-abuja", b: "sn-dakar", title: "Abuja–Dakar: e-government services", titleKO: "아부자–다카르: 전자정부 서비스",
		summary: "One-stop online permits.", summaryKO: "온라인 원스톱 인허가.", themes: []string{"governance", "digital services"}, start: "2026-03-01", members: true},
}

// demoPractice is a kind of practice the generated library cases are made of.
type demoPractice struct {
	title, titleKO, summary, summaryKO string
	themes, tech, sdgs                 []string
	esg, stage                         string
}

var demoPracticeKinds = []demoPractice{
	{"Shared mobility hubs", "공유 모빌리티 허브", "Bike, e-scooter and car-sharing hubs at transit stations.", "대중교통역의 자전거·전동킥보드·카셰어링 허브.", []string{"mobility"}, []string{"mobile apps"}, []string{"11"}, "environmental", "ongoing"},
	{"Smart port logistics", "스마트 항만 물류", "Port-call data shared between terminals to cut waiting ships.", "터미널 간 입항 데이터 공유로 선박 대기를 줄입니다.", []string{"ports", "logistics"}, []string{"data platform"}, []string{"9"}, "environmental", "pilot"},
	{"Digital twin for planning", "계획을 위한 디지털 트윈", "A 3D city model residents use in planning consultations.", "주민이 계획 협의에 활용하는 3D 도시 모델.", []string{"digital twins", "governance"}, []string{"3D modelling"}, []string{"11", "16"}, "governance", "scaled"},
	{"Open data portal", "공공데이터 포털", "The city's datasets published with an open licence and an API.", "개방 라이선스와 API로 공개한 도시 데이터.", []string{"open data"}, []string{"API"}, []string{"16"}, "governance", "ongoing"},
	{"Flood early warning", "홍수 조기 경보", "River and rain sensors that warn residents by text message.", "하천·강우 센서가 문자로 주민에게 경보합니다.", []string{"climate adaptation", "water"}, []string{"sensors", "SMS"}, []string{"11", "13"}, "environmental", "ongoing"},
	{"Smart street lighting", "스마트 가로등", "LED street lights dimmed by sensors, managed remotely.", "센서로 밝기를 조절하고 원격 관리하는 LED 가로등.", []string{"energy"}, []string{"IoT"}, []string{"7", "11"}, "environmental", "scaled"},
	{"Waste collection routing", "폐기물 수거 경로 최적화", "Fill-level sensors in bins and optimised truck routes.", "쓰레기통 적재 센서와 최적화된 수거 경로.", []string{"waste"}, []string{"sensors", "routing"}, []string{"11", "12"}, "environmental", "pilot"},
	{"Digital permits one-stop shop", "디지털 인허가 원스톱", "Building and business permits applied for and tracked online.", "건축·영업 인허가를 온라인으로 신청하고 추적합니다.", []string{"governance", "digital services"}, []string{"e-government"}, []string{"16"}, "governance", "ongoing"},
	{"Participatory budgeting online", "온라인 주민참여예산", "Residents propose and vote on projects online.", "주민이 온라인으로 사업을 제안하고 투표합니다.", []string{"participation", "governance"}, []string{"e-voting"}, []string{"16"}, "governance", "scaled"},
	{"Heat-health alerts", "폭염 건강 경보", "Alerts and cooling centres for older residents in heatwaves.", "폭염 때 고령 주민을 위한 경보와 무더위 쉼터.", []string{"climate adaptation", "health"}, []string{"SMS"}, []string{"3", "13"}, "social", "ongoing"},
	{"Telemedicine for districts", "지역 원격진료", "Clinics in outer districts linked to city hospitals by video.", "외곽 지역 보건소와 시립병원을 화상으로 연결합니다.", []string{"health"}, []string{"telemedicine"}, []string{"3"}, "social", "pilot"},
	{"School connectivity", "학교 인터넷 연결", "Every public school connected with fibre and Wi-Fi.", "모든 공립학교에 광통신과 와이파이 연결.", []string{"education", "inclusion"}, []string{"broadband"}, []string{"4", "9"}, "social", "scaled"},
	{"Smart water metering", "스마트 수도 검침", "Meters that report leaks and consumption every hour.", "누수와 사용량을 매시간 알리는 계량기.", []string{"water"}, []string{"IoT"}, []string{"6"}, "environmental", "ongoing"},
	{"Air quality sensor network", "대기질 센서 네트워크", "Low-cost sensors mapping air pollution by street.", "거리별 대기오염을 지도화하는 저가 센서.", []string{"air quality", "health"}, []string{"sensors"}, []string{"3", "11"}, "environmental", "ongoing"},
	{"Bus rapid transit priority", "간선급행버스 우선 신호", "Traffic signals that give buses priority at junctions.", "교차로에서 버스에 우선 신호를 주는 체계.", []string{"mobility"}, []string{"traffic control"}, []string{"11"}, "environmental", "scaled"},
	{"Digital skills for seniors", "어르신 디지털 역량 교육", "Free courses in libraries for residents over 65.", "65세 이상 주민을 위한 도서관 무료 강좌.", []string{"inclusion", "education"}, []string{"training"}, []string{"4", "10"}, "social", "ongoing"},
	{"Solar rooftops programme", "지붕 태양광 보급", "Solar panels on public buildings and subsidised homes.", "공공건물과 지원 주택의 태양광 패널.", []string{"energy", "climate mitigation"}, []string{"solar"}, []string{"7", "13"}, "environmental", "scaled"},
	{"Safe routes to school", "안전한 통학로", "Speed cameras and raised crossings near schools.", "학교 주변 과속 카메라와 고원식 횡단보도.", []string{"mobility", "safety"}, []string{"cameras"}, []string{"3", "11"}, "social", "ongoing"},
	{"Market vendors' digital payments", "시장 상인 디지털 결제", "Mobile payments and stall fees for informal markets.", "비공식 시장의 모바일 결제와 노점 사용료.", []string{"economy", "inclusion"}, []string{"mobile money"}, []string{"8"}, "social", "pilot"},
	{"Urban heat mapping", "도시 열지도", "Satellite and street sensors mapping the hottest blocks.", "위성과 거리 센서로 가장 더운 블록을 지도화합니다.", []string{"climate adaptation"}, []string{"remote sensing"}, []string{"11", "13"}, "environmental", "concept"},
}

// seedExchange seeds the library's demo practices and the demo
// partnerships (once each).
func seedExchange(ctx context.Context, s Services) error {
	if s.Exchange == nil || s.Partnerships == nil {
		return nil
	}
	for _, c := range demoPartnerCities {
		if _, err := s.Store.City(ctx, c.Code); err == nil {
			continue
		} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		if err := s.Members.SaveCity(ctx, system, c); err != nil {
			return err
		}
	}
	if err := seedPractices(ctx, s); err != nil {
		return err
	}
	return seedPartnerships(ctx, s)
}

var demoAdmin = exchange.Viewer{Member: true, Admin: true}

func seedPractices(ctx context.Context, s Services) error {
	done, err := s.Store.DemoSeeded(ctx, SeededPractices)
	if err != nil || len(done) > 0 {
		return err
	}
	cities, err := s.Store.ListCities(ctx, members.CityFilter{Status: members.StatusMember})
	if err != nil {
		return err
	}
	if len(cities) == 0 {
		return nil
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		have, err := s.Exchange.Search(ctx, demoAdmin, exchange.Query{Limit: 1})
		if err != nil {
			return err
		}
		// The partnerships seeded next are cases too.
		want := DemoPractices - len(demoPartnerships) - have.Total
		for i := 0; i < want; i++ {
			k := demoPracticeKinds[i%len(demoPracticeKinds)]
			c := cities[(i*7+i/len(demoPracticeKinds))%len(cities)]
			vis := exchange.Public
			if i%9 == 4 {
				vis = exchange.Members
			}
			langs := []string{"en", "ko"}
			ko := c.NameIn("ko")
			practice := &exchange.Case{Title: k.title + " in " + c.NameIn("en"), TitleKO: ko + " " + k.titleKO,
				Summary: k.summary, SummaryKO: k.summaryKO, CityCode: c.Code, ESGPillar: k.esg, Stage: k.stage,
				BudgetBand: exchange.BudgetBands[i%len(exchange.BudgetBands)], Visibility: vis, Demo: true,
				Results: "Demo data: a generated practice, not a real project.",
				Tags: map[string][]string{exchange.FieldThemes: k.themes, exchange.FieldTechnologies: k.tech, exchange.FieldSDGs: k.sdgs,
					exchange.FieldLanguages: langs, exchange.FieldTargetGroups: {[]string{"residents", "older people", "businesses", "students"}[i%4]}}}
			if err := s.Exchange.Create(ctx, demoAdmin, system, practice); err != nil {
				return fmt.Errorf("demo practice %d: %w", i, err)
			}
		}
		return s.Store.MarkDemoSeeded(ctx, SeededPractices, fmt.Sprint(max(want, 0)), s.Now())
	})
}

// demoAgreement is the demo partnerships' agreement file: a one-page PDF
// saying it is demo data.
const demoAgreement = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
	"4 0 obj<</Length 61>>stream\nBT /F1 18 Tf 72 770 Td (Demo data: not a real agreement.) Tj ET\nendstream endobj\n" +
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func seedPartnerships(ctx context.Context, s Services) error {
	done, err := s.Store.DemoSeeded(ctx, SeededPartnership)
	if err != nil {
		return err
	}
	for _, d := range demoPartnerships {
		if slices.Contains(done, d.key) {
			continue
		}
		err := s.Store.InTx(ctx, func(ctx context.Context) error {
			vis := exchange.Public
			if d.members {
				vis = exchange.Members
			}
			p := &exchange.Partnership{CityA: d.a, CityB: d.b, Partner: d.partner, Title: d.title, TitleKO: d.titleKO,
				Summary: d.summary, SummaryKO: d.summaryKO, Themes: d.themes, StartDate: d.start, EndDate: d.end,
				AgreementDate: d.agreement, Outcomes: d.outcomes, Visibility: vis, Demo: true}
			if err := s.Partnerships.Create(ctx, demoAdmin, system, p); err != nil {
				return fmt.Errorf("demo partnership %s: %w", d.key, err)
			}
			for _, st := range d.moves {
				if _, err := s.Partnerships.SetStatus(ctx, demoAdmin, system, p.ID, st); err != nil {
					return fmt.Errorf("demo partnership %s: %w", d.key, err)
				}
			}
			for _, a := range d.activities {
				act := &exchange.Activity{Kind: a.kind, Title: a.title, StartDate: a.from, EndDate: a.to, Report: a.report}
				if err := s.Partnerships.AddActivity(ctx, demoAdmin, system, p.ID, act); err != nil {
					return fmt.Errorf("demo partnership %s: %w", d.key, err)
				}
			}
			if d.agreement != "" {
				if _, err := s.Partnerships.SetAgreement(ctx, demoAdmin, system, p.ID, d.agreement, "agreement-"+d.key+".pdf",
					strings.NewReader(demoAgreement)); err != nil {
					return fmt.Errorf("demo partnership %s: %w", d.key, err)
				}
			}
			return s.Store.MarkDemoSeeded(ctx, SeededPartnership, d.key, s.Now())
		})
		if err != nil {
			return err
		}
	}
	return nil
}
