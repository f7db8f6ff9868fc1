package metricstest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScrapeParsesTheTextFormat(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `# HELP a_gauge A gauge.
# TYPE a_gauge gauge
a_gauge{z="1",a="2"} 3.5
# TYPE a_total counter
a_total 7
# TYPE a_histogram histogram
a_histogram_bucket{le="+Inf"} 1
a_histogram_sum 1
a_histogram_count 1
`)
	}))
	defer srv.Close()
	got, err := Scrape(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	want := Samples{`a_gauge{a="2",z="1"}`: 3.5, "a_total": 7}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s := Series("a_gauge", "z", "1", "a", "2"); s != `a_gauge{a="2",z="1"}` {
		t.Errorf("Series = %s", s)
	}
	if diff := cmp.Diff(Samples{"a_total": 7}, got.Family("a_total")); diff != "" {
		t.Errorf("Family (-want +got):\n%s", diff)
	}
}

func TestScrapeRefusesErrorsAndGarbage(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
	}{
		{"server error", http.StatusInternalServerError, ""},
		{"not the text format", http.StatusOK, "a_gauge{ 1\n"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tt.status)
			fmt.Fprint(w, tt.body)
		}))
		if _, err := Scrape(context.Background(), srv.URL); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
		srv.Close()
	}
}
