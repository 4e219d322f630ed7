import type { Health } from '../../lib/contract';
import { useApiQuery } from '../../lib/use-api-query';

const databaseNames: Record<Health['db'], string> = {
  pglite: 'embedded database (PGlite)',
  postgres: 'PostgreSQL',
};

/** A small footer naming the server version and its database, or saying it is unreachable. */
export function HealthFooter() {
  const health = useApiQuery<Health>('/api/health');
  return (
    <footer className="site-footer">
      {health.status === 'success' && (
        <p>
          Calma server {health.data.version} · {databaseNames[health.data.db]}
        </p>
      )}
      {health.status === 'loading' && <p>Checking the server…</p>}
      {health.status === 'error' && <p>The Calma server is not reachable.</p>}
    </footer>
  );
}
