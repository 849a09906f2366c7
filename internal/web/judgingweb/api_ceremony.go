package judgingweb

import (
	"net/http"
	"time"

	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/web"
)

// The ceremony's API, for the committee: the finalists' presentation
// slots, the invitations' answers and the programme.

func (a *Area) registerCeremonyAPI(s *web.Server) {
	s.API("GET /api/v1/judging/rounds/{round}/slots", AccessJudges, a.apiSlots)
	s.API("POST /api/v1/judging/rounds/{round}/slots", AccessJudges, a.apiScheduleSlot)
	s.API("GET /api/v1/judging/editions/{edition}/invitations", AccessJudges, a.apiInvitations)
	s.API("PUT /api/v1/judging/editions/{edition}/programme", AccessJudges, a.apiSetProgramme)
}

// judgingSlotsBody is a page of a finalist round's presentation slots.
type judgingSlotsBody struct {
	Slots []judging.Slot `json:"slots"`
	web.Paginated
}

// judgingSlotRequest schedules a finalist's presentation (id 0: a new slot).
type judgingSlotRequest struct {
	ID          int64     `json:"id"`
	Application int64     `json:"application"`
	Starts      time.Time `json:"starts"`
	Minutes     int       `json:"minutes"`
	Room        string    `json:"room"`
	Link        string    `json:"link"`
}

// judgingInvitationsBody is a page of an edition's invitations.
type judgingInvitationsBody struct {
	Invitations []judging.Invitation `json:"invitations"`
	web.Paginated
}

// judgingProgrammeBody is an edition's programme.
type judgingProgrammeBody struct {
	Items []judging.ProgrammeItem `json:"items"`
}

func (a *Area) apiSlots(w http.ResponseWriter, r *http.Request) error {
	return roundList(w, r, a.svc.Slots, func(page []judging.Slot, p web.Paginated) any {
		for i := range page {
			page[i].Starts = page[i].Starts.UTC()
		}
		return judgingSlotsBody{Slots: page, Paginated: p}
	})
}

func (a *Area) apiScheduleSlot(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	var req judgingSlotRequest
	if err := web.DecodeJSON(r, &req); err != nil {
		return err
	}
	sl := &judging.Slot{ID: req.ID, Round: round, App: req.Application, Starts: req.Starts, Minutes: req.Minutes, Room: req.Room, Link: req.Link}
	if err := a.svc.ScheduleSlot(r.Context(), viewer(r), sl); err != nil {
		return err
	}
	status := http.StatusOK
	if req.ID == 0 {
		status = http.StatusCreated
	}
	sl.Starts = sl.Starts.UTC()
	web.WriteJSON(w, status, sl)
	return nil
}

func (a *Area) apiInvitations(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := web.PageQuery(r.URL.Query(), apiPages)
	if err != nil {
		return err
	}
	invs, err := a.svc.Invitations(r.Context(), viewer(r), r.PathValue("edition"))
	if err != nil {
		return err
	}
	page, next := web.PageOf(w, r, invs, offset, limit)
	web.WriteJSON(w, http.StatusOK, judgingInvitationsBody{Invitations: page, Paginated: web.Paginated{NextCursor: next}})
	return nil
}

func (a *Area) apiSetProgramme(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	var req judgingProgrammeBody
	if err := web.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := a.svc.SetProgramme(r.Context(), viewer(r), code, req.Items); err != nil {
		return err
	}
	items, err := a.svc.Programme(r.Context(), code)
	if err != nil {
		return err
	}
	if items == nil {
		items = []judging.ProgrammeItem{}
	}
	for i := range items {
		items[i].Starts = items[i].Starts.UTC()
	}
	web.WriteJSON(w, http.StatusOK, judgingProgrammeBody{Items: items})
	return nil
}

func ceremonyOperations() []web.APIOperation {
	round := map[string]string{"round": "the finalist round's number"}
	edition := map[string]string{"edition": "the prize edition's code, e.g. 2026"}
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/judging/rounds/{round}/slots", ID: "listJudgingSlots", Tag: "judging",
			PathParams: round, Query: web.PageParams(apiPages), Summary: "The finalist round's presentation slots the caller may see, by start",
			Description: "The committee sees every slot (a chair in conflict not that application's), a judge those of the finalists assigned to them, a finalist their own.",
			Status:      200, Response: judgingSlotsBody{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "POST", Path: "/api/v1/judging/rounds/{round}/slots", ID: "scheduleJudgingSlot", Tag: "judging",
			PathParams: round, Request: judgingSlotRequest{}, Summary: "Schedules (id 0) or moves a finalist's presentation slot (the committee only)",
			Description: "A slot overlapping another of the same finalist, of a judge assigned to both, or in the same room is refused (409) naming that slot and its time in the edition's zone. 201 for a new slot; a move answers 200 with the same body.",
			Status:      201, Response: judging.Slot{}, Auth: true, Errors: []int{401, 403, 404, 409}},
		{Method: "GET", Path: "/api/v1/judging/editions/{edition}/invitations", ID: "listJudgingInvitations", Tag: "judging",
			PathParams: edition, Query: web.PageParams(apiPages), Summary: "The finalists' invitations to the ceremony and their answers (the committee only)",
			Status: 200, Response: judgingInvitationsBody{}, Auth: true, Errors: []int{401, 403}},
		{Method: "PUT", Path: "/api/v1/judging/editions/{edition}/programme", ID: "putJudgingProgramme", Tag: "judging",
			PathParams: edition, Request: judgingProgrammeBody{}, Summary: "Replaces the ceremony's programme (the committee only)",
			Description: "Items in order, each starting no earlier than the one above, with titles in English and Korean (at most 100 items); an item at fault is named as items[i].field.",
			Status:      200, Response: judgingProgrammeBody{}, Auth: true, Errors: []int{401, 403}},
	}
}

func ceremonySchemaDocs() web.SchemaDocs {
	return web.SchemaDocs{
		"judgingweb.judgingSlotsBody":                   {Description: "A page of presentation slots."},
		"judgingweb.judgingSlotsBody.slots":             {Description: "the slots, by start"},
		"judgingweb.judgingSlotRequest":                 {Description: "A finalist's presentation slot to schedule or move."},
		"judgingweb.judgingSlotRequest.id":              {Description: "the slot to move; 0 schedules a new one"},
		"judgingweb.judgingSlotRequest.application":     {Description: "the finalist's application number"},
		"judgingweb.judgingSlotRequest.starts":          {Description: "when the presentation starts (RFC 3339)"},
		"judgingweb.judgingSlotRequest.minutes":         {Description: "its duration in minutes (5 to 240)"},
		"judgingweb.judgingSlotRequest.room":            {Description: "the room (a room or a link is needed)"},
		"judgingweb.judgingSlotRequest.link":            {Description: "an https:// link, for a remote presentation"},
		"judgingweb.judgingInvitationsBody":             {Description: "A page of the finalists' invitations."},
		"judgingweb.judgingInvitationsBody.invitations": {Description: "the invitations, by application number"},
		"judgingweb.judgingProgrammeBody":               {Description: "The ceremony's programme."},
		"judgingweb.judgingProgrammeBody.items":         {Description: "the items, in order"},
		"judging.Slot":                                  {Description: "A finalist's presentation in the finalist round."},
		"judging.Slot.id":                               {Description: "the slot's number"},
		"judging.Slot.round":                            {Description: "the finalist round's number"},
		"judging.Slot.app":                              {Description: "the finalist's application number"},
		"judging.Slot.starts":                           {Description: "when it starts (UTC)"},
		"judging.Slot.minutes":                          {Description: "its duration in minutes", Minimum: web.Min(5)},
		"judging.Slot.room":                             {Description: "the room, or empty for a remote presentation"},
		"judging.Slot.link":                             {Description: "the link of a remote presentation, or empty"},
		"judging.Invitation":                            {Description: "A finalist's invitation to the ceremony and their answer. It says finalist, never a grade."},
		"judging.Invitation.edition":                    {Description: "the edition's code"},
		"judging.Invitation.app":                        {Description: "the finalist's application number"},
		"judging.Invitation.lang":                       {Description: "the language it was sent in", Enum: web.Enum("en", "ko")},
		"judging.Invitation.status":                     {Description: "the answer", Enum: web.Enum(judging.InviteSent, judging.InviteConfirmed, judging.InviteDeclined)},
		"judging.Invitation.attendees":                  {Description: "the names of those who attend (at most 10)"},
		"judging.Invitation.travel":                     {Description: "the travel needs the applicant gave"},
		"judging.Invitation.sent_at":                    {Description: "when the invitation was sent"},
		"judging.Invitation.responded_at":               {Description: "when the applicant answered (0001-01-01T00:00:00Z before an answer)"},
		"judging.ProgrammeItem":                         {Description: "One item of the ceremony's programme."},
		"judging.ProgrammeItem.edition":                 {Description: "the edition's code (set by the server)"},
		"judging.ProgrammeItem.position":                {Description: "the item's place in the programme, from 1 (set by the server)"},
		"judging.ProgrammeItem.starts":                  {Description: "when the item starts (RFC 3339; pages show it in the edition's time zone)"},
		"judging.ProgrammeItem.minutes":                 {Description: "its duration in minutes (0 to 1440)"},
		"judging.ProgrammeItem.title":                   {Description: "the title in English"},
		"judging.ProgrammeItem.title_ko":                {Description: "the title in Korean"},
		"judging.ProgrammeItem.place":                   {Description: "where it takes place"},
	}
}
