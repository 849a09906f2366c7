package web

// Core helpers the composition root (internal/app) needs to give the areas
// and the server the same services.

// DefaultServices are cfg's services, those it leaves nil built from its
// store and settings (with their defaults) as New builds them. New and the
// areas given the result share one set of services.
func DefaultServices(cfg Config) Services {
	return cfg.Services.withDefaults(cfg.withDefaults())
}
