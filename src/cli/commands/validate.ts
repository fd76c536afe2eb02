import type { ApiopsCommand } from '../command';
import { notAvailableYet } from './not-available';

export const validateCommand: ApiopsCommand = notAvailableYet('validate', 'Check schemas, templates, policy XML and lint rules');
