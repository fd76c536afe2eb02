import type { ApiopsCommand } from '../command';
import { notAvailableYet } from './not-available';

export const extractCommand: ApiopsCommand = notAvailableYet('extract', 'Write an existing instance into the repository format');
