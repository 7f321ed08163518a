import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Where HTTP-driven work gets its database access (consumers get their transaction from the
 * transport as `ctx.manager`). Services depend on this instead of the DataSource so unit tests can
 * hand them a fake manager.
 */
export abstract class UnitOfWork {
  /** Runs `work` in one transaction: everything it writes commits or rolls back together. */
  abstract transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Runs read-only `work` outside an explicit transaction. */
  abstract read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work(this.dataSource.manager);
  }
}
