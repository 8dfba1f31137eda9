// Package awsconfig loads the one AWS SDK configuration every function shares. It is plain
// config.LoadDefaultConfig, so AWS_ENDPOINT_URL_<SERVICE> (set by the local cloud) redirects any client
// without a line of "local" code.
package awsconfig

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Load returns the default configuration.
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	return cfg, nil
}
