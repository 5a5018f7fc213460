/**
 * Recipe fragments shared by the table tests (test/engine/checks.test.ts) and the same cases on
 * real repositories (test/pipeline/precision.test.ts), in the style of test/fixtures/recipes.
 */

/** custom-html's backupbot label, and the one-line targeted change of its bad-backup canary. */
export const LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
export const BAD_PATH = '        - "backupbot.backup.volumes.content.path=public_html"\n';

/** custom-html's mount of its nginx config, and a mount of traefik.yml beside it (append after). */
export const NGINX_MOUNT = "        target: /etc/nginx/conf.d/default.conf\n";
export const TRAEFIK_MOUNT =
  "      - source: traefik_yml\n        target: /etc/traefik/dynamic/traefik.yml\n";

/** A swarm config entry that mounts traefik.yml as a Go template (append under `configs:`). */
export const TRAEFIK_CONFIG = `  traefik_yml:
    name: \${STACK_NAME}_traefik_yml_\${TRAEFIK_YML_VERSION}
    file: traefik.yml
    template_driver: golang
`;

/** Traefik's static configuration with a Go template block: not YAML until Docker renders it. */
export const TRAEFIK_YML = `entryPoints:
  web:
    address: ":80"
{{ if eq (env "DASHBOARD") "true" }}
api:
  dashboard: true
{{ end }}
`;
