package inventory

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// regionOf returns the region of a number from the geocoding data of
// phonenumbers: the two-letter state or province code for a number of the
// North American plan (CA for +1 415), else the place the data names (London
// for +44 20). It returns "" when the data names only the country, as it
// does for toll-free numbers.
func regionOf(parsed *phonenumbers.PhoneNumber, country string) string {
	place, err := phonenumbers.GetGeocodingForNumber(parsed, "en")
	if err != nil || place == "" || place == countryName(country) {
		return ""
	}
	if parsed.GetCountryCode() != 1 {
		return place
	}

	// The data names a North American place as "City, ST" or as the whole
	// state or province.
	if i := strings.LastIndex(place, ", "); i >= 0 && len(place)-i-2 == 2 {
		return place[i+2:]
	}
	if code, ok := northAmericanRegions[place]; ok {
		return code
	}
	return place
}

// countryName returns the English name of a country by its ISO 3166-1
// alpha-2 code, which the geocoding data returns when it has no place.
func countryName(country string) string {
	region, err := language.ParseRegion(country)
	if err != nil {
		return ""
	}
	return display.Regions(language.English).Name(region)
}

// northAmericanRegions are the postal codes of the US states and the
// Canadian provinces and territories, by the names the geocoding data uses.
var northAmericanRegions = map[string]string{
	"Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
	"Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
	"Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
	"Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
	"Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO",
	"Montana": "MT", "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
	"New Mexico": "NM", "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH",
	"Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
	"South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
	"Virginia": "VA", "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
	"Washington D.C.": "DC", "District of Columbia": "DC",
	"Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
	"Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Ontario": "ON", "Prince Edward Island": "PE",
	"Quebec": "QC", "Saskatchewan": "SK", "Northwest Territories": "NT", "Nunavut": "NU", "Yukon": "YT",
}
