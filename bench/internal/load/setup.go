package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// actors are the run's identities and fleet.
type actors struct {
	customers []string            // tokens
	manager   string              // token
	driver    string              // token of the driver who registered every taxi
	taxis     map[string][]string // grade → taxi ids
}

const tokenTTL = 2 * time.Hour

func setup(ctx context.Context, cfg Config, runID string) (actors, error) {
	var a actors
	driver, err := cfg.Client.Token(ctx, "bench-driver-"+runID, []string{"drivers"}, tokenTTL)
	if err != nil {
		return a, err
	}
	if a.manager, err = cfg.Client.Token(ctx, "bench-manager-"+runID, []string{"managers"}, tokenTTL); err != nil {
		return a, err
	}
	a.driver = driver
	a.taxis = map[string][]string{}
	for _, grade := range grades {
		// Two taxis per grade: a small one that runs out (rejections, releases) and a large one.
		for i, stock := range []int{min(cfg.TaxiStock, 3), cfg.TaxiStock} {
			id, err := registerTaxi(ctx, cfg.Client, driver, fmt.Sprintf("Bench %s %d", grade, i+1), grade, stock)
			if err != nil {
				return a, err
			}
			a.taxis[grade] = append(a.taxis[grade], id)
		}
	}
	a.customers = make([]string, cfg.Concurrency)
	for i := range a.customers {
		if a.customers[i], err = cfg.Client.Token(ctx, fmt.Sprintf("bench-customer-%s-%d", runID, i), []string{"customers"}, tokenTTL); err != nil {
			return a, err
		}
	}
	return a, nil
}

func registerTaxi(ctx context.Context, c *api.Client, driver, name, grade string, stock int) (string, error) {
	body := map[string]any{"taxiName": name, "companyName": "Bench Cab", "grade": grade, "stockCnt": stock, "itemPrice": 3800}
	resp, err := c.Do(ctx, api.Request{Method: http.MethodPost, Path: "/taxis", Token: driver, Body: body})
	if err != nil {
		return "", fmt.Errorf("register taxi: %w", err)
	}
	if resp.Status != http.StatusCreated {
		return "", fmt.Errorf("register taxi: status %d: %s", resp.Status, resp.Body)
	}
	var taxi struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &taxi); err != nil || taxi.ID == "" {
		return "", fmt.Errorf("register taxi: no id in %s", resp.Body)
	}
	return taxi.ID, nil
}
