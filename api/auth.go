package api

import (
	"fmt"
	"net/http"
	"strings"

	"numberpool"
)

// requireKey authenticates the API key of the request and checks that it
// belongs to the account in the path, before h validates anything else.
func (s *Server) requireKey(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		accountID, err := s.authenticate(w, r)
		if err != nil {
			return err
		}
		setAccountID(r, accountID)

		if pathAccount := r.PathValue("account_id"); pathAccount != accountID {
			return numberpool.Errorf(numberpool.CodeForbidden,
				"forbidden: this API key does not give access to account %q", pathAccount)
		}
		return h(w, r)
	}
}

// authenticate returns the account that owns the request's bearer key. For
// an unknown key it sets the challenge with error="invalid_token". writeError
// sets the plain challenge for the other 401s.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, error) {
	key, err := bearerKey(r.Header)
	if err != nil {
		return "", err
	}

	keyHash := numberpool.HashAPIKey(key)
	if accountID, ok := s.keys.Get(string(keyHash)); ok {
		return accountID, nil
	}

	accountID, err := s.store.AccountForKey(r.Context(), keyHash)
	if numberpool.IsCode(err, numberpool.CodeNotFound) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		return "", numberpool.Errorf(numberpool.CodeUnauthorized,
			"invalid API key: no account has the key sent in the Authorization header")
	}
	if err != nil {
		return "", fmt.Errorf("look up API key: %w", err)
	}
	s.keys.Add(string(keyHash), accountID)
	return accountID, nil
}

// bearerKey returns the key of an "Authorization: Bearer <key>" header. The
// scheme word is case-insensitive and the key is taken exactly as sent. No
// message repeats the header, because a client that forgot the scheme word
// sends its key in the scheme's place.
func bearerKey(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", unauthorized("missing API key: send the header Authorization: Bearer <key>")
	case len(values) > 1:
		return "", unauthorized("invalid Authorization: send exactly one Authorization header, Bearer <key>")
	}

	scheme, key, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", unauthorized("unsupported authorization scheme: send the header Authorization: Bearer <key>")
	}
	if key == "" {
		return "", unauthorized("missing API key after Bearer: send the header Authorization: Bearer <key>")
	}
	return key, nil
}

func unauthorized(message string) *numberpool.Error {
	return &numberpool.Error{Code: numberpool.CodeUnauthorized, Message: message}
}
