package peerkit

import (
	"encoding/json"
	"fmt"
	"os"
)

// ReadTokens reads a hub's token file, the format fluxrpc's hub reads: a JSON object
// {"<token>": "<instance>", ...}. An empty object or an empty token is an error.
func ReadTokens(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tokens map[string]string
	if err := json.Unmarshal(b, &tokens); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%s: no tokens", path)
	}
	for token, instance := range tokens {
		if token == "" || instance == "" {
			return nil, fmt.Errorf("%s: empty token or instance name", path)
		}
	}
	return tokens, nil
}
