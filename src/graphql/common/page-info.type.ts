import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Where a page sits in a list: Sonar pages start at 1.' })
export class PageInfo {
  @Field(() => Int)
  page!: number;

  @Field(() => Int)
  total_pages!: number;

  @Field(() => Int)
  total_count!: number;

  @Field(() => Int)
  records_per_page!: number;
}
