package cloud

import "context"

// BuildAll builds every function of repoRoot's template into buildDir (buildDir/<LogicalId>/bootstrap)
// with the same Makefile targets Start runs: the end-to-end tests build once, then start every cloud
// with SkipBuild.
func BuildAll(ctx context.Context, repoRoot, buildDir string) error {
	c := &Cloud{cfg: withDefaults(Config{RepoRoot: repoRoot, DataDir: buildDir, BuildDir: buildDir})}
	tmpl, err := c.loadTemplate()
	if err != nil {
		return err
	}
	_, err = buildFunctions(ctx, c.cfg.RepoRoot, buildDir, sortedKeys(tmpl.Functions), false)
	return err
}
