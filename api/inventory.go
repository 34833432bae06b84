package api

import (
	"fmt"
	"net/http"
	"strings"

	"numberpool"
)

// inventoryNumberObject is a number of the pool as a search returns it: the
// number object without the fields of an owner (trunk, application, the
// purchase and update times).
type inventoryNumberObject struct {
	E164         string                  `json:"e164"`
	Country      string                  `json:"country"`
	Type         numberpool.NumberType   `json:"type"`
	Region       string                  `json:"region"`
	Status       numberpool.Status       `json:"status"`
	Capabilities []numberpool.Capability `json:"capabilities"` // never null
	MonthlyFee   numberpool.Cents        `json:"monthly_fee"`
	SetupFee     numberpool.Cents        `json:"setup_fee"`
	Currency     string                  `json:"currency"`
}

func newInventoryNumberObject(n numberpool.Number) inventoryNumberObject {
	obj := inventoryNumberObject{
		E164:         n.E164,
		Country:      n.Country,
		Type:         n.Type,
		Region:       n.Region,
		Status:       numberpool.StatusAvailable,
		Capabilities: n.Capabilities,
		MonthlyFee:   n.MonthlyFee,
		SetupFee:     n.SetupFee,
		Currency:     currencyUSD,
	}
	if obj.Capabilities == nil {
		obj.Capabilities = []numberpool.Capability{}
	}
	return obj
}

// searchPagination is the list pagination with total_capped: when true,
// counting stopped at total and more numbers match, so total_pages counts
// only the pages up to the cap.
type searchPagination struct {
	pagination
	TotalCapped bool `json:"total_capped"`
}

type inventoryListResponse struct {
	Data       []inventoryNumberObject `json:"data"` // never null
	Pagination searchPagination        `json:"pagination"`
}

// handleSearchInventory serves GET /v1/account/{account_id}/inventory/numbers.
func (s *Server) handleSearchInventory(w http.ResponseWriter, r *http.Request) error {
	filter, err := parseSearchQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}

	page, err := s.store.SearchInventory(r.Context(), filter)
	if err != nil {
		return fmt.Errorf("search inventory for account %s: %w", r.PathValue("account_id"), err)
	}

	data := make([]inventoryNumberObject, 0, len(page.Numbers))
	for _, n := range page.Numbers {
		data = append(data, newInventoryNumberObject(n))
	}
	return writeJSON(w, http.StatusOK, inventoryListResponse{
		Data: data,
		Pagination: searchPagination{
			pagination: pagination{
				Total:       page.Total,
				Count:       len(data),
				PerPage:     filter.PerPage,
				CurrentPage: filter.Page,
				TotalPages:  (page.Total + filter.PerPage - 1) / filter.PerPage,
			},
			TotalCapped: page.TotalCapped,
		},
	})
}

// parseSearchQuery decodes the search's query parameters. It checks page,
// per_page and capabilities itself and the rest with SearchFilter.Query, and
// every invalid parameter gets its own detail. Unknown parameters are
// ignored, as for the list of numbers.
func parseSearchQuery(rawQuery string) (numberpool.SearchFilter, error) {
	f := numberpool.SearchFilter{Page: 1, PerPage: defaultPerPage}
	p := newQueryParser(rawQuery)

	p.parse("country", func(raw string) *numberpool.Error {
		f.Country = upperASCII(raw)
		return nil
	})
	p.parse("type", func(raw string) *numberpool.Error {
		f.Type = numberpool.NumberType(raw)
		return nil
	})
	for _, name := range []string{"area_code", "starts_with", "contains", "ends_with"} {
		p.parse(name, func(raw string) *numberpool.Error {
			*digitField(&f, name) = raw
			return nil
		})
	}
	p.parse("capabilities", func(raw string) (err *numberpool.Error) {
		f.Capabilities, err = parseCapabilities(raw)
		return err
	})
	// A page or per_page that fails to parse keeps its default, so that
	// the filter's own checks below do not report it a second time.
	p.parse("page", func(raw string) *numberpool.Error {
		page, err := parseIntInRange("page", raw, 1, maxSearchPage)
		if err == nil {
			f.Page = page
		}
		return err
	})
	p.parse("per_page", func(raw string) *numberpool.Error {
		perPage, err := parseIntInRange("per_page", raw, 1, maxPerPage)
		if err == nil {
			f.PerPage = perPage
		}
		return err
	})

	// The filter's own checks name each remaining bad parameter, beside
	// those that failed to parse.
	_, problems := f.QueryProblems()
	p.addUnlessFailed(problems)
	if err := p.err(); err != nil {
		return numberpool.SearchFilter{}, err
	}
	return f, nil
}

// maxSearchPage matches the limit of numberpool.SearchFilter.
const maxSearchPage = 1 << 24

func digitField(f *numberpool.SearchFilter, name string) *string {
	switch name {
	case "area_code":
		return &f.AreaCode
	case "starts_with":
		return &f.StartsWith
	case "contains":
		return &f.Contains
	}
	return &f.EndsWith
}

// parseCapabilities reads a comma-separated list such as "voice,sms". A
// search returns only numbers with every capability listed. An empty value
// lists none, as an empty digit filter filters nothing.
func parseCapabilities(raw string) ([]numberpool.Capability, *numberpool.Error) {
	var cs []numberpool.Capability
	if strings.TrimSpace(raw) == "" {
		return cs, nil
	}
	for part := range strings.SplitSeq(raw, ",") {
		c, err := numberpool.ParseCapability(strings.TrimSpace(part))
		if err != nil {
			return nil, numberpool.Validation("capabilities", "must be a comma-separated list of voice, sms, mms",
				"invalid capabilities %q: expected a comma-separated list of voice, sms and mms", shorten(raw))
		}
		cs = append(cs, c)
	}
	return cs, nil
}
