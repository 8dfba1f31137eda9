package cloud

import (
	"context"
	"errors"
	"sync"
)

// BuildAll builds every function of repoRoot's template into buildDir (buildDir/<LogicalId>/bootstrap),
// with the same Makefile targets Start runs, two at a time: the end-to-end tests build once, then start
// every cloud with SkipBuild.
func BuildAll(ctx context.Context, repoRoot, buildDir string) error {
	c := &Cloud{cfg: withDefaults(Config{RepoRoot: repoRoot, DataDir: buildDir, BuildDir: buildDir})}
	tmpl, err := c.loadTemplate()
	if err != nil {
		return err
	}
	ids := sortedKeys(tmpl.Functions)
	errs := make([]error, len(ids))
	slots := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			_, errs[i] = buildFunctions(ctx, c.cfg.RepoRoot, buildDir, []string{id}, false)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
