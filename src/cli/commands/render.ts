import type { ApiopsCommand } from '../command';
import { notAvailableYet } from './not-available';

export const renderCommand: ApiopsCommand = notAvailableYet('render', 'Write the rendered desired state');
