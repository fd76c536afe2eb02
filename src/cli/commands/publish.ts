import type { ApiopsCommand } from '../command';
import { notAvailableYet } from './not-available';

export const publishCommand: ApiopsCommand = notAvailableYet('publish', 'Apply the repository to the live instance');
