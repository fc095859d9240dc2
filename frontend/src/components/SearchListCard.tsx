import type { SearchPage } from '../types';
import Card from './Card';
import EmptyState, { type EmptyStateProps } from './EmptyState';
import Pagination from './Pagination';
import SearchForm from './SearchForm';
import Table, { type Column } from './Table';

export interface SearchListCardProps<Row> {
  title: string;
  /** The list's path, where its search and its pages go. */
  path: string;
  list: SearchPage<Row>;
  /** The search box's label for screen readers, and its placeholder. */
  searchLabel: string;
  placeholder: string;
  caption: string;
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  /** The rows' name in "No matching …" when a search finds nothing. */
  plural: string;
  /** The empty state shown when there are no rows and no search. */
  empty: EmptyStateProps;
}

/** A card with a searched, paged list: search box in its header, table, and page links. */
export default function SearchListCard<Row>({
  title,
  path,
  list,
  searchLabel,
  placeholder,
  caption,
  columns,
  rowKey,
  plural,
  empty,
}: SearchListCardProps<Row>) {
  return (
    <Card title={title} actions={<SearchForm path={path} initial={list.search} label={searchLabel} placeholder={placeholder} />} flush>
      <Table
        caption={caption}
        columns={columns}
        rows={list.items}
        rowKey={rowKey}
        empty={
          list.search !== '' ? (
            <EmptyState title={`No matching ${plural}`} description={`Nothing matches “${list.search}”.`} />
          ) : (
            <EmptyState {...empty} />
          )
        }
      />
      <Pagination page={list.page} pages={list.pages} path={path} params={{ search: list.search }} />
    </Card>
  );
}
