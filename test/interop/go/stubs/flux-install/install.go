// Package install stands in for flux's manifest templates (the nested module the module proxy does
// not serve). It has the two names cmd/fluxctl refers to, so the real fluxctl builds for the
// interop tests; `fluxctl install` (a local command that talks to no daemon) fails with an error.
package install

import "errors"

// TemplateParameters has the fields fluxctl's install command sets from its flags.
type TemplateParameters struct {
	GitURL                  string
	GitBranch               string
	GitPaths                []string
	GitLabel                string
	GitUser                 string
	GitEmail                string
	GitReadOnly             bool
	RegistryDisableScanning bool
	Namespace               string
	ManifestGeneration      bool
	AddSecurityContext      bool
}

// FillInTemplates always fails: the templates are not part of this stand-in.
func FillInTemplates(params TemplateParameters) (map[string][]byte, error) {
	return nil, errors.New("fluxctl install is not available in this build (the manifest templates are not included)")
}
