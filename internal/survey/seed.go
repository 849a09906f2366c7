package survey

import "time"

// seedAt is when the seeded item bank was written (its provenance).
var seedAt = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// SeedAuthor is the provenance of the seeded texts.
const SeedAuthor = "CityLens secretariat (seed)"

func bi(en, ko string) Labels {
	return Labels{"en": {Text: en, By: SeedAuthor, At: seedAt}, "ko": {Text: ko, By: SeedAuthor, At: seedAt}}
}

// seedRating is one rating statement of the seeded bank.
type seedRating struct {
	code, area, pillar string
	reverse            bool
	opposes            string
	en, ko             string
}

var seedRatings = []seedRating{
	{"hs_s1", "health_safety", PillarStructures, false, "", "I feel safe walking alone in my neighbourhood after dark.", "어두워진 뒤에도 우리 동네를 혼자 걸을 때 안전하다고 느낀다."},
	{"hs_s2", "health_safety", PillarStructures, false, "", "Getting to see a doctor when I need one is easy.", "필요할 때 의사의 진료를 받기가 쉽다."},
	{"hs_s3", "health_safety", PillarStructures, true, "hs_s1", "Walking alone in my neighbourhood at night worries me.", "밤에 우리 동네를 혼자 걷는 것이 걱정된다."},
	{"hs_t1", "health_safety", PillarTechnology, false, "", "I can book a medical appointment online.", "온라인으로 진료 예약을 할 수 있다."},
	{"hs_t2", "health_safety", PillarTechnology, false, "", "City apps or alerts warn me quickly of hazards such as floods, fires or heat waves.", "시의 앱이나 알림이 홍수, 화재, 폭염 같은 위험을 신속하게 알려 준다."},
	{"mo_s1", "mobility", PillarStructures, false, "", "Traffic jams rarely spoil my daily trips.", "일상적인 이동이 교통 체증 때문에 방해받는 일은 드물다."},
	{"mo_s2", "mobility", PillarStructures, false, "", "Public transport takes me where I need to go at a fair price.", "대중교통으로 적정한 요금에 가야 할 곳까지 갈 수 있다."},
	{"mo_t1", "mobility", PillarTechnology, false, "", "I can pay for buses, trains and parking with my phone or a card.", "버스, 지하철, 주차 요금을 휴대전화나 카드로 낼 수 있다."},
	{"mo_t2", "mobility", PillarTechnology, false, "", "Live arrival and traffic information helps me plan my trips.", "실시간 도착 정보와 교통 정보가 이동 계획에 도움이 된다."},
	{"ac_s1", "activities", PillarStructures, false, "", "There are enough parks and green spaces near my home.", "집 근처에 공원과 녹지가 충분하다."},
	{"ac_s2", "activities", PillarStructures, false, "", "The city has cultural events and places I enjoy.", "우리 시에는 내가 즐기는 문화 행사와 장소가 있다."},
	{"ac_t1", "activities", PillarTechnology, false, "", "I can buy tickets for museums, shows or games online.", "박물관, 공연, 경기 입장권을 온라인으로 살 수 있다."},
	{"ac_t2", "activities", PillarTechnology, false, "", "Websites or apps help me find out what is on in the city.", "웹사이트나 앱으로 시에서 열리는 행사를 알아볼 수 있다."},
	{"op_s1", "opportunities", PillarStructures, false, "", "People who want a job can find one here.", "일자리를 원하는 사람은 이곳에서 일자리를 찾을 수 있다."},
	{"op_s2", "opportunities", PillarStructures, true, "", "Rent or housing payments take too much of people's income here.", "이곳에서는 월세나 주택 대출 상환이 소득에서 너무 큰 몫을 차지한다."},
	{"op_t1", "opportunities", PillarTechnology, false, "", "Job openings are easy to find online.", "온라인에서 채용 공고를 쉽게 찾을 수 있다."},
	{"op_t2", "opportunities", PillarTechnology, false, "", "My internet connection at home is fast and reliable.", "집의 인터넷 연결은 빠르고 안정적이다."},
	{"go_s1", "governance", PillarStructures, false, "", "Residents have a real say in what the city decides for their area.", "시가 우리 지역에 관해 결정할 때 주민의 의견이 실제로 반영된다."},
	{"go_s2", "governance", PillarStructures, false, "", "Anyone can see how the city spends its money.", "시가 예산을 어떻게 쓰는지 누구나 볼 수 있다."},
	{"go_t1", "governance", PillarTechnology, false, "", "I can do official paperwork online without going to an office.", "관공서에 가지 않고도 온라인으로 행정 업무를 처리할 수 있다."},
	{"go_t2", "governance", PillarTechnology, false, "", "I can report a street problem, such as a pothole or a broken light, online.", "도로 파손이나 고장 난 가로등 같은 동네 문제를 온라인으로 신고할 수 있다."},
}

// DefaultInstrument is the seeded item bank, version 1, in English and
// Korean: the five areas × {structures, technology}, attitude items, an
// attention check, the priorities question and the weighting questions.
// The wording is CityLens's own.
func DefaultInstrument() *Instrument {
	in := &Instrument{Version: 1, Languages: []string{"en", "ko"}}
	in.Areas = []Area{
		{Code: "health_safety", Label: bi("Health and safety", "보건과 안전")},
		{Code: "mobility", Label: bi("Mobility", "이동")},
		{Code: "activities", Label: bi("Activities", "여가와 문화")},
		{Code: "opportunities", Label: bi("Opportunities", "일과 기회")},
		{Code: "governance", Label: bi("Governance", "행정과 참여")},
	}
	in.Lists = []List{
		{Name: AgreeList, Choices: []Choice{
			{Code: "1", Label: bi("Strongly disagree", "전혀 그렇지 않다")},
			{Code: "2", Label: bi("Disagree", "그렇지 않다")},
			{Code: "3", Label: bi("Neither agree nor disagree", "보통이다")},
			{Code: "4", Label: bi("Agree", "그렇다")},
			{Code: "5", Label: bi("Strongly agree", "매우 그렇다")},
			{Code: NotAvailable, Label: bi("Not available in my city", "우리 시에는 없다")},
			{Code: NoAnswer, Label: bi("No answer", "응답하지 않음")},
		}},
		{Name: "priorities", Choices: []Choice{
			{Code: "housing", Label: bi("Housing people can afford", "감당할 수 있는 주거비")},
			{Code: "jobs", Label: bi("Work for those who want it", "일하고 싶은 사람을 위한 일자리")},
			{Code: "air", Label: bi("Clean air", "깨끗한 공기")},
			{Code: "congestion", Label: bi("Less traffic congestion", "교통 혼잡 완화")},
			{Code: "safety", Label: bi("Safety and security", "치안과 안전")},
			{Code: "health", Label: bi("Health care", "보건 의료")},
			{Code: "transit", Label: bi("Public transport", "대중교통")},
			{Code: "green", Label: bi("Parks and green spaces", "공원과 녹지")},
			{Code: "schools", Label: bi("Schools", "학교 교육")},
			{Code: "integrity", Label: bi("Honest public officials", "청렴한 공직자")},
			{Code: "waste", Label: bi("Recycling and waste", "재활용과 쓰레기 처리")},
			{Code: "voice", Label: bi("Residents' say in decisions", "결정에 대한 주민 참여")},
			{Code: "advancement", Label: bi("Chances to get ahead", "더 나은 삶으로 나아갈 기회")},
			{Code: "basics", Label: bi("Everyday services (water, shops, post)", "생활 기반 서비스(수도, 상점, 우편)")},
			{Code: "good_work", Label: bi("Satisfying work", "보람 있는 일")},
		}},
		{Name: "sex", Choices: []Choice{
			{Code: "female", Label: bi("Female", "여성")},
			{Code: "male", Label: bi("Male", "남성")},
			{Code: PreferNotSay, Label: bi("Prefer not to say", "밝히고 싶지 않음")},
		}},
		{Name: "age", Choices: []Choice{
			{Code: "18-29", Label: bi("18 to 29", "18–29세")},
			{Code: "30-44", Label: bi("30 to 44", "30–44세")},
			{Code: "45-64", Label: bi("45 to 64", "45–64세")},
			{Code: "65+", Label: bi("65 or older", "65세 이상")},
			{Code: PreferNotSay, Label: bi("Prefer not to say", "밝히고 싶지 않음")},
		}},
		{Name: "education", Choices: []Choice{
			{Code: "low", Label: bi("Lower secondary school or less", "중학교 졸업 이하")},
			{Code: "mid", Label: bi("Upper secondary or vocational school", "고등학교 또는 직업학교 졸업")},
			{Code: "high", Label: bi("College or university", "전문대학 또는 대학교 졸업 이상")},
			{Code: PreferNotSay, Label: bi("Prefer not to say", "밝히고 싶지 않음")},
		}},
	}
	for _, r := range seedRatings {
		in.Items = append(in.Items, Item{Code: r.code, Kind: KindRating, List: AgreeList, Area: r.area, Pillar: r.pillar,
			Reverse: r.reverse, Opposes: r.opposes, Label: bi(r.en, r.ko)})
	}
	in.Items = append(in.Items,
		Item{Code: "at_data", Kind: KindAttitude, List: AgreeList, Label: bi(
			"I am willing to share data about myself with the city if it makes services better.",
			"서비스가 나아진다면 나에 관한 데이터를 시와 공유할 의향이 있다.")},
		Item{Code: "at_online", Kind: KindAttitude, List: AgreeList, Label: bi(
			"Online services let me do more things by myself.",
			"온라인 서비스 덕분에 더 많은 일을 혼자서 할 수 있다.")},
		Item{Code: "at_worry", Kind: KindAttitude, List: AgreeList, Reverse: true, Label: bi(
			"The way the city uses technology worries me more than it helps me.",
			"시가 기술을 활용하는 방식은 도움이 되기보다 걱정스럽다.")},
		Item{Code: "attention", Kind: KindAttention, List: AgreeList, Expect: 2, Label: bi(
			"To show that you are reading, please choose \"Disagree\" here.",
			"질문을 읽고 계신지 확인하기 위해 여기에서는 \"그렇지 않다\"를 골라 주세요.")},
		Item{Code: "priorities", Kind: KindPriorities, List: "priorities", Max: defaultMaxPik, Label: bi(
			"Which of these matter most for your city? Choose up to five.",
			"우리 시에 가장 중요한 것은 무엇입니까? 다섯 개까지 고르세요.")},
		Item{Code: "sex", Kind: KindWeight, List: "sex", Required: true, Label: bi("What is your sex?", "성별은 무엇입니까?")},
		Item{Code: "age", Kind: KindWeight, List: "age", Required: true, Label: bi("How old are you?", "나이는 어떻게 되십니까?")},
		Item{Code: "education", Kind: KindWeight, List: "education", Required: true, Label: bi(
			"What is the highest level of education you have completed?", "마친 최종 학력은 무엇입니까?")},
	)
	return in
}
