/**
 * Whether this node is shutting down. From the SIGTERM on, readiness answers 503 so that a load
 * balancer stops sending it new clients, while the clients it has are served until they are
 * closed (and reconnect to another node).
 */
export class DrainState {
  #draining = false;

  /** True once the shutdown has begun. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Begins the shutdown; readiness answers 503 from now on. */
  begin(): void {
    this.#draining = true;
  }
}
