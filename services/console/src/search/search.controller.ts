import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { searchBody } from './search-requests';
import { SearchService } from './search.service';

@Controller('api/search')
export class SearchController {
  constructor(private readonly searches: SearchService) {}

  /** POST although it changes nothing: the search text stays out of URLs (and needs the CSRF token, harmlessly). */
  @Post()
  @HttpCode(200)
  search(@CurrentSession() session: Session, @Body() body: unknown) {
    return this.searches.search(session, searchBody.parse(body));
  }
}
