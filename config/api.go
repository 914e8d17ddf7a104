package config

import (
	"time"

	"github.com/coopwatch/coopwatch/sources"
)

// API configures a source of kind api: a REST endpoint paged through with resty.
type API struct {
	// Auth: kind bearer (token), basic (username, password) or header (header, value).
	// token_file, password_file read the secret from a file.
	Auth struct {
		Kind     string `yaml:"kind"`
		Token    string `yaml:"token"`
		Username string `yaml:"username"`
		Password string `yaml:"password"`
		Header   string `yaml:"header"`
		Value    string `yaml:"value"`
	} `yaml:"auth"`
	// Headers and Query are sent with every request.
	Headers map[string]string `yaml:"headers"`
	Query   map[string]string `yaml:"query"`
	// RecordsPath is the dotted path of the records array in a page ("data"); "" for a
	// body that is the array itself.
	RecordsPath string `yaml:"records_path"`
	// Fields: target field -> dotted path in a record ("commune": "address.commune").
	Fields map[string]string `yaml:"fields"`
	// Pagination: kind none, page (page_param, size_param, size, start_page,
	// total_pages_path), offset (offset_param, limit_param, size) or next (next_path,
	// cursor_param).
	Pagination struct {
		Kind           string `yaml:"kind"`
		PageParam      string `yaml:"page_param"`
		SizeParam      string `yaml:"size_param"`
		Size           int    `yaml:"size"`
		StartPage      int    `yaml:"start_page"`
		TotalPagesPath string `yaml:"total_pages_path"`
		OffsetParam    string `yaml:"offset_param"`
		LimitParam     string `yaml:"limit_param"`
		NextPath       string `yaml:"next_path"`
		CursorParam    string `yaml:"cursor_param"`
	} `yaml:"pagination"`
	// Incremental pulls send the largest Field value of the last committed pull as Param.
	Incremental struct {
		Param string `yaml:"param"`
		Field string `yaml:"field"`
	} `yaml:"incremental"`
	// Timeout per request (default 30s), MaxRetries on timeouts, 429 and 5xx (default 5).
	Timeout    time.Duration `yaml:"timeout"`
	MaxRetries int           `yaml:"max_retries"`
}

// APIConfig turns an api source into the sources package's own config.
func (s Source) APIConfig() sources.APIConfig {
	a := s.API
	return sources.APIConfig{
		Name:   s.Name,
		Entity: sources.Entity(s.Entity),
		URL:    s.URL,
		Auth: sources.APIAuth{Kind: a.Auth.Kind, Token: a.Auth.Token, Username: a.Auth.Username,
			Password: a.Auth.Password, Header: a.Auth.Header, Value: a.Auth.Value},
		Headers:     a.Headers,
		Query:       a.Query,
		RecordsPath: a.RecordsPath,
		Fields:      a.Fields,
		Pagination: sources.APIPagination{Kind: a.Pagination.Kind, PageParam: a.Pagination.PageParam,
			SizeParam: a.Pagination.SizeParam, Size: a.Pagination.Size, StartPage: a.Pagination.StartPage,
			TotalPagesPath: a.Pagination.TotalPagesPath, OffsetParam: a.Pagination.OffsetParam,
			LimitParam: a.Pagination.LimitParam, NextPath: a.Pagination.NextPath, CursorParam: a.Pagination.CursorParam},
		Incremental: sources.APIIncremental{Param: a.Incremental.Param, Field: a.Incremental.Field},
		Timeout:     a.Timeout,
		MaxRetries:  a.MaxRetries,
	}
}
