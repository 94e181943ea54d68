package marketo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config is how to reach one Marketo instance. It comes from the
// environment only (ConfigFromEnv): the secret never passes through a flag,
// a log line, an error message or a state file.
type Config struct {
	BaseURL      string // https://<munchkin>.mktorest.com, no trailing path
	ClientID     string
	ClientSecret string
}

// Environment variables read by ConfigFromEnv.
const (
	EnvBaseURL      = "MARKETO_BASE_URL"
	EnvClientID     = "MARKETO_CLIENT_ID"
	EnvClientSecret = "MARKETO_CLIENT_SECRET"
)

// ConfigFromEnv reads the Config from getenv (os.Getenv). The error names
// the missing variables, never a value.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		BaseURL:      strings.TrimRight(strings.TrimSpace(getenv(EnvBaseURL)), "/"),
		ClientID:     strings.TrimSpace(getenv(EnvClientID)),
		ClientSecret: strings.TrimSpace(getenv(EnvClientSecret)),
	}
	var missing []string
	for _, v := range []struct{ name, val string }{{EnvBaseURL, c.BaseURL}, {EnvClientID, c.ClientID}, {EnvClientSecret, c.ClientSecret}} {
		if v.val == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("marketo: set %s in the environment (the REST endpoint and a LaunchPoint API service's client id and secret)", strings.Join(missing, ", "))
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Config{}, fmt.Errorf("marketo: %s is not an http(s) URL like https://123-ABC-456.mktorest.com", EnvBaseURL)
	}
	return c, nil
}

// APIError is an error Marketo reported in a response body ("success":
// false), or an HTTP status without one. Code is Marketo's code ("1029") or
// "HTTP 502". Message is Marketo's text, which holds no personal data.
type APIError struct {
	Op      string // what was asked, e.g. "enqueue leads export"
	Code    string
	Message string
}

func (e *APIError) Error() string {
	if e.Code == "network" {
		return fmt.Sprintf("marketo: %s: %s", e.Op, e.Message)
	}
	return strings.TrimSpace(fmt.Sprintf("marketo: %s: %s %s", e.Op, e.Code, e.Message))
}

// Codes with a meaning here (Adobe's error-codes.md).
const (
	codeAccessTokenInvalid = "601"
	codeAccessTokenExpired = "602"
	codeQueueOrQuota       = "1029" // too many jobs in queue, or the daily export quota
	codeFilterUnsupported  = "1035" // updatedAt filter not enabled for the subscription
)

// retryable are the transient errors retried with backoff: HTTP 502 and
// Marketo's 502, 604 (timed out), 606 (rate limit: 100 calls per 20 s), 608
// (temporarily unavailable), 611 (system error), 615 (concurrent calls).
var retryable = map[string]bool{
	"HTTP 502": true, "HTTP 503": true, "HTTP 504": true,
	"502": true, "604": true, "606": true, "608": true, "611": true, "615": true,
}

func isCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// IsQuota reports whether err is Marketo's daily export quota (1029 with
// "quota" in its message; the same code also means a full job queue).
func IsQuota(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == codeQueueOrQuota && strings.Contains(strings.ToLower(ae.Message), "quota")
}

func isQueueFull(err error) bool {
	return isCode(err, codeQueueOrQuota) && !IsQuota(err)
}

// Client calls the Marketo REST and Bulk APIs for one Config. It fetches an
// access token on first use and again when it is about to expire or a call
// answers 601/602; transient errors are retried with exponential backoff on
// its Clock. It is safe for use by several goroutines.
type Client struct {
	cfg   Config
	http  *http.Client
	clock Clock

	// Retries is the number of attempts after the first for a transient
	// error; Backoff the first wait, doubled each time up to MaxBackoff.
	Retries    int
	Backoff    time.Duration
	MaxBackoff time.Duration

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewClient returns a Client; hc nil means an http.Client with a 10-minute
// timeout, clock nil the real clock.
func NewClient(cfg Config, hc *http.Client, clock Clock) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Minute}
	}
	if clock == nil {
		clock = RealClock{}
	}
	return &Client{cfg: cfg, http: hc, clock: clock, Retries: 6, Backoff: 2 * time.Second, MaxBackoff: 2 * time.Minute}
}

// envelope is the body of every REST and Bulk API answer except a file.
type envelope struct {
	RequestID     string          `json:"requestId"`
	Success       bool            `json:"success"`
	Result        json.RawMessage `json:"result"`
	Errors        []apiErr        `json:"errors"`
	NextPageToken string          `json:"nextPageToken"`
	MoreResult    bool            `json:"moreResult"`
}

type apiErr struct {
	Code    json.RawMessage `json:"code"` // a string in the docs, a number in some answers
	Message string          `json:"message"`
}

func (e apiErr) code() string {
	return strings.Trim(string(e.Code), `"`)
}

// tokenLeeway is how long before its stated expiry a token is renewed.
const tokenLeeway = 60 * time.Second

// accessToken returns a valid token, fetching one when none is held or the
// held one expires within tokenLeeway. It makes one attempt: callers run
// it inside retry.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.clock.Now().Add(tokenLeeway).Before(c.expires) {
		return c.token, nil
	}
	q := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.ClientSecret}}
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		ErrorDesc   string `json:"error_description"`
	}
	// One attempt: every caller runs inside retry, which retries a
	// transient failure here too.
	err := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/identity/oauth/token?"+q.Encode(), nil)
		if err != nil {
			return fmt.Errorf("marketo: get access token: bad %s", EnvBaseURL)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return transportError("get access token", err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return transportError("get access token", err)
		}
		if resp.StatusCode >= 500 {
			return &APIError{Op: "get access token", Code: fmt.Sprintf("HTTP %d", resp.StatusCode)}
		}
		if err := json.Unmarshal(data, &body); err != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" {
			msg := body.ErrorDesc
			if msg == "" {
				msg = body.Error
			}
			return &APIError{Op: "get access token", Code: fmt.Sprintf("HTTP %d", resp.StatusCode),
				Message: strings.TrimSpace(msg + " (check " + EnvClientID + " and " + EnvClientSecret + ")")}
		}
		return nil
	}()
	if err != nil {
		return "", err
	}
	c.token = body.AccessToken
	c.expires = c.clock.Now().Add(time.Duration(body.ExpiresIn) * time.Second)
	return c.token, nil
}

// dropToken forgets token (if still held) so the next call fetches a new one.
func (c *Client) dropToken(token string) {
	c.mu.Lock()
	if c.token == token {
		c.token = ""
	}
	c.mu.Unlock()
}

// transportError keeps a network error to one line without its URL: a URL
// can carry query parameters, and the token request's carry the secret.
func transportError(op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &APIError{Op: op, Code: "network", Message: err.Error()}
}

// retry runs call until it succeeds, fails with an error that is not
// transient, or has been retried c.Retries times, sleeping on the clock
// between attempts. Network errors count as transient.
func (c *Client) retry(ctx context.Context, call func() error) error {
	wait := c.Backoff
	for attempt := 0; ; attempt++ {
		err := call()
		var ae *APIError
		transient := errors.As(err, &ae) && (retryable[ae.Code] || ae.Code == "network")
		if !transient || attempt >= c.Retries {
			if transient && attempt > 0 {
				return fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
			}
			return err
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, c.MaxBackoff)
	}
}

// call sends one API request (body nil: no body; url.Values: a form; else
// JSON) and decodes a successful envelope's result into out. It renews the
// token once on 601/602 and retries transient errors.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, body any, out *envelope) error {
	renewed := false
	return c.retry(ctx, func() error {
		for {
			token, err := c.accessToken(ctx)
			if err != nil {
				return err
			}
			err = c.once(ctx, op, method, path, query, body, token, out)
			if (isCode(err, codeAccessTokenInvalid) || isCode(err, codeAccessTokenExpired)) && !renewed {
				renewed = true
				c.dropToken(token)
				continue
			}
			return err
		}
	})
}

func (c *Client) once(ctx context.Context, op, method, path string, query url.Values, body any, token string, out *envelope) error {
	u := c.cfg.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("marketo: %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return transportError(op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return transportError(op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &APIError{Op: op, Code: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	}
	*out = envelope{}
	if err := json.Unmarshal(data, out); err != nil {
		return &APIError{Op: op, Code: "bad response", Message: "the body is not Marketo's JSON envelope"}
	}
	if !out.Success {
		if len(out.Errors) == 0 {
			return &APIError{Op: op, Code: "unknown", Message: "success is false without an error"}
		}
		return &APIError{Op: op, Code: out.Errors[0].code(), Message: oneLine(out.Errors[0].Message)}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
