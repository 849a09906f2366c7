package members_test

import (
	"context"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/storetest"
)

// TestServiceRefusalsAreKeyed: every refusal of the directory's service
// (a code taken, a record not found, problems checked against the
// database) is a *citylens.Error worded by catalogue keys, its problems
// too, so that a page words it in its reader's language.
func TestServiceRefusalsAreKeyed(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	svc := &members.Service{Store: db, Audit: db, Now: time.Now}
	actor := auditlog.System("test")
	if err := svc.SaveOffice(ctx, actor, members.Office{Code: "office-asia", Name: "Asia Office", RegionCode: "AS"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveCity(ctx, actor, members.City{Code: "kr-seoul", Name: "Seoul", Country: "KR", RegionCode: "AS", OfficeCode: "office-asia",
		Status: members.StatusMember}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SavePartner(ctx, actor, members.Partner{Code: "p-1", Name: "P", Kind: members.PartnerCompany}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"office code taken", svc.CreateOffice(ctx, actor, members.Office{Code: "office-asia", Name: "Second", RegionCode: "AS"}), citylens.ECONFLICT},
		{"office code taken, and a name missing", svc.CreateOffice(ctx, actor, members.Office{Code: "office-asia", RegionCode: "AS"}), citylens.EINVALID},
		{"office not found", svc.UpdateOffice(ctx, actor, members.Office{Code: "office-x", Name: "X", RegionCode: "AS"}), citylens.ENOTFOUND},
		{"office of an unknown region", svc.SaveOffice(ctx, actor, members.Office{Code: "office-x", Name: "X", RegionCode: "ZZ"}), citylens.EINVALID},
		{"office serving cities moved", svc.UpdateOffice(ctx, actor, members.Office{Code: "office-asia", Name: "Asia Office", RegionCode: "EU"}), citylens.EINVALID},
		{"city of another office's region", svc.SaveCity(ctx, actor, members.City{Code: "fr-paris", Name: "Paris", Country: "FR", RegionCode: "EU",
			OfficeCode: "office-asia", Status: members.StatusMember}), citylens.EINVALID},
		{"city with an unknown office", svc.SaveCity(ctx, actor, members.City{Code: "fr-paris", Name: "Paris", Country: "FR", RegionCode: "EU",
			OfficeCode: "office-eu", Status: members.StatusMember}), citylens.EINVALID},
		{"city with every field wrong", svc.SaveCity(ctx, actor, members.City{Code: "X", LocalName: string(make([]byte, 201)), Country: "Korea",
			Latitude: 91, Longitude: -181, Population: -1, Status: "friend", MemberSince: "2020"}), citylens.EINVALID},
		{"partner code taken", svc.CreatePartner(ctx, actor, members.Partner{Code: "p-1", Name: "Q", Kind: members.PartnerAgency}), citylens.ECONFLICT},
		{"partner not found", svc.UpdatePartner(ctx, actor, members.Partner{Code: "p-2", Name: "Q", Kind: members.PartnerAgency}), citylens.ENOTFOUND},
		{"partner with a long website", svc.SavePartner(ctx, actor, members.Partner{Code: "p-3", Name: "Q", Kind: members.PartnerAgency,
			Website: "https://example.org/" + string(make([]byte, 500))}), citylens.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := citylens.ErrorCode(tc.err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, tc.err, tc.code)
			}
			i18ntest.WantKeyed(t, tc.err)
		})
	}
}
