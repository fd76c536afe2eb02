import type { ApiopsCommand } from '../command';
import { notAvailableYet } from './not-available';

export const diffCommand: ApiopsCommand = notAvailableYet('diff', 'Show what would change on the live instance');
