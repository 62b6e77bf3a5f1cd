export { BeylaNamingLine } from './BeylaNamingLine';
