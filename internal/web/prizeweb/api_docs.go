package prizeweb

import (
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// zeroTime is how a date that has not happened is written: the zero time.
const zeroTime = " (0001-01-01T00:00:00Z when it has not happened)"

// APISchemaDocs documents the properties of the prize API's bodies.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	stages := web.Enum(prize.StageConcept, prize.StagePlanned, prize.StagePilot, prize.StageOngoing, prize.StageScaled)
	types := web.Enum(prize.TypeLocalGov, prize.TypeNationalGov, prize.TypeCorporation, prize.TypeInstitution, prize.TypeIndividual)
	return web.SchemaDocs{
		"prizeweb.prizeEditionsBody":                  {Description: "The published editions of the prize."},
		"prizeweb.prizeEditionsBody.editions":         {Description: "each published edition, newest first"},
		"prizeweb.prizeEditionBody":                   {Description: "A published edition's call."},
		"prizeweb.prizeEditionBody.edition":           {Description: "the edition"},
		"prizeweb.prizeEditionBody.phase":             {Description: "the call's phase now (a grace period after the deadline is shown as closed)", Enum: web.Enum(prize.PhaseUpcoming, prize.PhaseOpen, prize.PhaseClosed)},
		"prizeweb.prizeEditionBody.tracks":            {Description: "the edition's tracks, in their order"},
		"prizeweb.prizeEditionBody.eligibility":       {Description: "which applicant types may apply to which track"},
		"prizeweb.prizeApplicationsBody":              {Description: "Applications the caller may see."},
		"prizeweb.prizeApplicationsBody.applications": {Description: "the caller's own applications (the secretariat: every application of the edition)"},
		"prizeweb.prizeApplicationBody":               {Description: "One application with its files and endorsements."},
		"prizeweb.prizeApplicationBody.application":   {Description: "the application"},
		"prizeweb.prizeApplicationBody.files":         {Description: "its attachments"},
		"prizeweb.prizeApplicationBody.endorsements":  {Description: "the endorsements requested for it"},
		"prizeweb.prizeApplicationBody.checks":        {Description: "the automatic screening checks (the secretariat only)"},

		"prize.Edition":                {Description: "An edition of the Seoul Smart City Prize. Dates are instants (RFC 3339, UTC); time_zone is the zone the call states them in."},
		"prize.Edition.code":           {Description: "the edition's code, e.g. 2026"},
		"prize.Edition.year":           {Description: "the edition's year"},
		"prize.Edition.title":          {Description: "title in English"},
		"prize.Edition.title_ko":       {Description: "title in Korean"},
		"prize.Edition.description":    {Description: "description in English"},
		"prize.Edition.description_ko": {Description: "description in Korean"},
		"prize.Edition.time_zone":      {Description: "the IANA time zone of the call's dates, e.g. Asia/Seoul"},
		"prize.Edition.opens":          {Description: "when the call opens"},
		"prize.Edition.deadline":       {Description: "the deadline for submissions"},
		"prize.Edition.evaluation":     {Description: "when judging starts"},
		"prize.Edition.finalists":      {Description: "when the finalists are announced"},
		"prize.Edition.ceremony":       {Description: "the award ceremony"},
		"prize.Edition.published":      {Description: "whether the call is public"},
		"prize.Edition.created_at":     {Description: "when the edition was created"},
		"prize.Edition.updated_at":     {Description: "when the edition was last changed"},

		"prize.Track":                {Description: "A track of an edition."},
		"prize.Track.edition":        {Description: "the edition's code"},
		"prize.Track.code":           {Description: "the track's code, e.g. human-centricity"},
		"prize.Track.kind":           {Description: "main (projects), leadership (individuals) or special (a special mention proposed by a partner organisation)", Enum: web.Enum(prize.KindMain, prize.KindLeadership, prize.KindSpecial)},
		"prize.Track.name":           {Description: "name in English"},
		"prize.Track.name_ko":        {Description: "name in Korean"},
		"prize.Track.description":    {Description: "description in English"},
		"prize.Track.description_ko": {Description: "description in Korean"},
		"prize.Track.criteria":       {Description: "a special mention's own criteria, in English"},
		"prize.Track.criteria_ko":    {Description: "a special mention's own criteria, in Korean"},
		"prize.Track.partner":        {Description: "the partner organisation proposing a special mention"},
		"prize.Track.position":       {Description: "the track's place in the call's order", Minimum: web.Min(0)},

		"prize.Eligibility":                {Description: "Whether an applicant type may apply to a track."},
		"prize.Eligibility.track":          {Description: "the track's code"},
		"prize.Eligibility.applicant_type": {Description: "the applicant type", Enum: types},
		"prize.Eligibility.eligible":       {Description: "true when that type may apply to that track"},

		"prize.Application":                  {Description: "An application to a track of an edition."},
		"prize.Application.id":               {Description: "the application's number"},
		"prize.Application.edition":          {Description: "the edition's code"},
		"prize.Application.track":            {Description: "the track's code"},
		"prize.Application.user_id":          {Description: "the applicant's account number"},
		"prize.Application.email":            {Description: "the applicant's account e-mail"},
		"prize.Application.applicant_type":   {Description: "the applicant's type", Enum: types},
		"prize.Application.organisation":     {Description: "the applying organisation"},
		"prize.Application.country":          {Description: "the applicant's country (ISO 3166-1 alpha-3)"},
		"prize.Application.city_code":        {Description: "the project's city when it is a member of the network, else empty"},
		"prize.Application.city_name":        {Description: "the project's city"},
		"prize.Application.title":            {Description: "the project's title"},
		"prize.Application.stage":            {Description: "the project's development stage (empty until answered)", Enum: append(stages, "")},
		"prize.Application.answers":          {Description: "the answers to the edition's form, by field code"},
		"prize.Application.co_applicants":    {Description: "organisations applying together with the applicant"},
		"prize.Application.state":            {Description: "the application's state", Enum: web.Enum(prize.StateDraft, prize.StateSubmitted, prize.StateWithdrawn, prize.StateRejected)},
		"prize.Application.late":             {Description: "submitted after the deadline, within the grace period"},
		"prize.Application.screening":        {Description: "the screening outcome: empty while not screened", Enum: web.Enum(prize.ScreenPending, prize.ScreenEligible, prize.ScreenRejected)},
		"prize.Application.screening_reason": {Description: "why the application was rejected at screening, as the applicant sees it"},
		"prize.Application.screened_at":      {Description: "when it was screened" + zeroTime},
		"prize.Application.demo":             {Description: "true for the demo network's synthetic applications"},
		"prize.Application.created_at":       {Description: "when the application was started"},
		"prize.Application.updated_at":       {Description: "when it was last saved"},
		"prize.Application.submitted_at":     {Description: "when it was submitted" + zeroTime},
		"prize.Application.withdrawn_at":     {Description: "when it was withdrawn" + zeroTime},

		"prize.CoApplicant":              {Description: "An organisation applying together with the applicant."},
		"prize.CoApplicant.organisation": {Description: "the organisation"},
		"prize.CoApplicant.country":      {Description: "its country (ISO 3166-1 alpha-3)"},
		"prize.CoApplicant.email":        {Description: "its contact's e-mail"},

		"prize.Attachment":                {Description: "A file attached to an application."},
		"prize.Attachment.id":             {Description: "the file's identifier"},
		"prize.Attachment.application_id": {Description: "the application's number"},
		"prize.Attachment.field":          {Description: "the form field it answers"},
		"prize.Attachment.name":           {Description: "the file's name as uploaded"},
		"prize.Attachment.type":           {Description: "the media type sniffed from its content"},
		"prize.Attachment.size":           {Description: "its size in bytes", Minimum: web.Min(0)},
		"prize.Attachment.sha256":         {Description: "the SHA-256 of its content, in hexadecimal"},
		"prize.Attachment.created_at":     {Description: "when it was uploaded"},

		"prize.Endorsement":                {Description: "A city's endorsement of an application."},
		"prize.Endorsement.id":             {Description: "the endorsement's number"},
		"prize.Endorsement.application_id": {Description: "the application's number"},
		"prize.Endorsement.city_code":      {Description: "the endorsing member city, or empty for a city outside the network"},
		"prize.Endorsement.city_name":      {Description: "the endorsing city"},
		"prize.Endorsement.email":          {Description: "the official asked to endorse, for a city outside the network"},
		"prize.Endorsement.status":         {Description: "the endorsement's status", Enum: web.Enum(prize.EndorseRequested, prize.EndorseGiven, prize.EndorseDeclined)},
		"prize.Endorsement.comment":        {Description: "the endorser's comment"},
		"prize.Endorsement.requested_at":   {Description: "when it was requested"},
		"prize.Endorsement.decided_at":     {Description: "when it was given or declined" + zeroTime},
		"prize.Endorsement.decided_by":     {Description: "who gave or declined it"},

		"prize.Check":        {Description: "An automatic screening check."},
		"prize.Check.rule":   {Description: "the rule checked", Enum: web.Enum("eligibility", "deadline", "required", "endorsement")},
		"prize.Check.passed": {Description: "whether the application passes it"},
		"prize.Check.key":    {Description: "the message key saying why"},
		"prize.Check.args":   {Description: "the message's arguments"},
		"prize.Check.note":   {Description: "the message in English"},
	}
}
