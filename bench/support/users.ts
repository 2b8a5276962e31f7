import type { BenchEnvironment } from './environment.js';

export interface BenchUser {
  readonly teamId: string;
  readonly userId: string;
  readonly notionSecret: string;
  readonly pageUrl: string;
  readonly pageId: string;
  readonly connectionsDataSourceId: string;
}

export async function setUpUsers(env: BenchEnvironment, count: number, prefix: string): Promise<BenchUser[]> {
  void env;
  void count;
  void prefix;
  throw new Error('not yet');
}
