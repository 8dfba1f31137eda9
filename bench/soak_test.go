package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestSaveProfile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			http.Error(w, "no profile", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("profile bytes"))
	}))
	defer srv.Close()
	tests := []struct {
		path    string
		wantErr bool
	}{
		{"/_local/debug/pprof/heap?gc=1", false},
		{"/broken", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "p.pb.gz")
			err := saveProfile(context.Background(), srv.URL+tt.path, file)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			got, readErr := os.ReadFile(file)
			if tt.wantErr {
				if readErr == nil {
					t.Errorf("a failed fetch wrote %q", got)
				}
				return
			}
			if string(got) != "profile bytes" {
				t.Errorf("wrote %q, %v", got, readErr)
			}
		})
	}
}
