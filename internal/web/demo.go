package web

import (
	"context"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
)

// DemoPassword is every demo account's password (shown in the log and README).
const DemoPassword = "citylens-demo"

// DemoAccount is a seeded demo user.
type DemoAccount struct {
	Email, Role, Scope string
}

// demoUsers are the demo accounts, one per role.
var demoUsers = []accounts.User{
	{Email: "admin@demo.citylens", Name: "Demo Secretariat Admin", Role: accounts.RoleAdmin},
	{Email: "regional.asia@demo.citylens", Name: "Demo Regional Officer (Asia)", Role: accounts.RoleRegional, RegionCode: "AS"},
	{Email: "focal.seoul@demo.citylens", Name: "Demo Focal Point (Seoul)", Role: accounts.RoleFocal, CityCode: "kr-seoul"},
	{Email: "judge@demo.citylens", Name: "Demo Judge", Role: accounts.RoleJudge},
	{Email: "partner@demo.citylens", Name: "Demo Partner", Role: accounts.RolePartner},
}

// SeedDemo seeds the demo network idempotently: member cities, offices and
// partners, one account per role (password DemoPassword), then feature
// modules' demo data. It returns the demo accounts.
func (s *Server) SeedDemo(ctx context.Context) (members.ImportResult, []DemoAccount, error) {
	res, err := s.members.SeedDemo(ctx)
	if err != nil {
		return res, nil, err
	}
	var out []DemoAccount
	for _, u := range demoUsers {
		_, err := s.store.UserByEmail(ctx, u.Email)
		switch citylens.ErrorCode(err) {
		case citylens.ENOTFOUND:
			if _, err := s.accounts.AddUser(ctx, auditlog.System("demo-seed"), u, DemoPassword); err != nil {
				return res, nil, err
			}
		case "":
		default:
			return res, nil, err
		}
		out = append(out, DemoAccount{Email: u.Email, Role: string(u.Role), Scope: u.RegionCode + u.CityCode})
	}
	return res, out, s.seedFeatureDemo(ctx)
}
