import { ArgsType, Field, InputType, Int, registerEnumType } from 'type-graphql';
import type { ComparisonOperator, ListQuery, SortDirection as Direction } from '../../db/list-query';
import { DatetimeScalar, Int64BitScalar } from '../scalars';

/**
 * Sonar's list arguments as GraphQL types, and `toListQuery` turning them into the domain's
 * ListQuery (src/db/list-query.ts does the SQL). A list query for a new entity:
 *
 *     @ArgsType()
 *     export class ThingListArgs extends ListArgs {
 *       @Field(() => String, { nullable: true }) name?: string;   // one per scalar column
 *     }
 *     @Query(() => ThingConnection)
 *     things(@Args(() => ThingListArgs) args: ThingListArgs, @Ctx() { services }: GraphQLContext) {
 *       return services.things.list(toListQuery(args));
 *     }
 */

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

export enum SearchOperator {
  GTE = 'GTE',
  GT = 'GT',
  LTE = 'LTE',
  LT = 'LT',
  EQ = 'EQ',
  NEQ = 'NEQ',
}
registerEnumType(SearchOperator, { name: 'SearchOperator' });

@InputType({ description: 'Page numbers start at 1; records_per_page is 1..10000 (default: page 1 of 100).' })
export class Paginator {
  @Field(() => Int)
  page!: number;

  @Field(() => Int)
  records_per_page!: number;
}

@InputType()
export class Sorter {
  @Field(() => String)
  attribute!: string;

  @Field(() => SortDirection)
  direction!: Direction;
}

@InputType()
export class StringFieldSearch {
  @Field(() => String)
  attribute!: string;

  @Field(() => String)
  search_value!: string;

  @Field(() => Boolean, { description: 'false: rows that do NOT match.' })
  match!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'true: case-insensitive substring; otherwise exact.' })
  partial_matching?: boolean | null;
}

@InputType()
export class IntegerFieldSearch {
  @Field(() => String)
  attribute!: string;

  @Field(() => Int64BitScalar)
  search_value!: bigint;

  @Field(() => SearchOperator)
  operator!: ComparisonOperator;
}

@InputType()
export class DatetimeFieldSearch {
  @Field(() => String)
  attribute!: string;

  @Field(() => DatetimeScalar)
  search_value!: Date;

  @Field(() => SearchOperator)
  operator!: ComparisonOperator;
}

@InputType()
export class IpAddressFieldSearch {
  @Field(() => String)
  attribute!: string;

  @Field(() => String, { description: 'An address or subnet; matches rows whose address/subnet lies inside it.' })
  search_value!: string;

  @Field(() => Boolean, { description: 'false: rows that do NOT lie inside.' })
  match!: boolean;
}

@InputType()
export class BooleanFieldSearch {
  @Field(() => String)
  attribute!: string;

  @Field(() => Boolean)
  search_value!: boolean;
}

@InputType({ description: 'All conditions inside one Search are ANDed; separate Search objects are ORed.' })
export class Search {
  @Field(() => [StringFieldSearch], { nullable: true })
  string_fields?: StringFieldSearch[] | null;

  @Field(() => [IntegerFieldSearch], { nullable: true })
  integer_fields?: IntegerFieldSearch[] | null;

  @Field(() => [DatetimeFieldSearch], { nullable: true })
  datetime_fields?: DatetimeFieldSearch[] | null;

  @Field(() => [IpAddressFieldSearch], { nullable: true })
  ip_address_fields?: IpAddressFieldSearch[] | null;

  @Field(() => [BooleanFieldSearch], { nullable: true })
  boolean_fields?: BooleanFieldSearch[] | null;
}

/** The arguments every list field takes; entity ArgsTypes extend it with one argument per scalar column. */
@ArgsType()
export class ListArgs {
  @Field(() => Paginator, { nullable: true })
  paginator?: Paginator | null;

  @Field(() => [Sorter], { nullable: true })
  sorter?: Sorter[] | null;

  @Field(() => [Search], { nullable: true })
  search?: Search[] | null;

  @Field(() => String, { nullable: true, description: "Partial, case-insensitive match over the entity's text fields." })
  general_search?: string | null;
}

/** ListArgs plus the equality arguments of the columns every entity has. */
@ArgsType()
export class EntityListArgs extends ListArgs {
  @Field(() => Int64BitScalar, { nullable: true })
  id?: bigint | null;

  @Field(() => DatetimeScalar, { nullable: true })
  created_at?: Date | null;

  @Field(() => DatetimeScalar, { nullable: true })
  updated_at?: Date | null;
}

/** GraphQL list arguments -> the domain's ListQuery: every argument that is not a list control is an equality filter. */
export function toListQuery(args: ListArgs): ListQuery {
  const { paginator, sorter, search, general_search, ...filters } = args;
  return { filters, paginator, sorter, search, general_search };
}
