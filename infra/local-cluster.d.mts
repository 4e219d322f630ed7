// Types of what infra/local-cluster.mjs exports, for the tests that use them (tests/infra).

/** infra/nginx/calma.conf, the proxy configuration compose mounts into the nginx image. */
export declare const siteConfigPath: string;

/** calma.conf with its `calma-N:8080` nodes replaced by `nodes` and `listen 80;` by `listen`. */
export declare function renderSiteConfig(site: string, options: { nodes: string[]; listen: string }): string;

/** A whole nginx.conf around a rendered site, writing its pid, logs and temporary files under `dir`. */
export declare function mainConfig(options: { dir: string; site: string }): string;

/** Debian's nginx binary, or null when it is not installed. */
export declare function findNginx(): string | null;
