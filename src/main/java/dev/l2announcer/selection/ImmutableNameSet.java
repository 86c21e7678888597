package dev.l2announcer.selection;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A sorted set of names that nobody can change: it owns its copy. {@link AnnouncementGroup} keeps
 * an instance of this type as is instead of copying it, so the groups of a snapshot that have the
 * same candidates share one set (with 10k services the per-group copies were most of the snapshot).
 */
final class ImmutableNameSet extends AbstractSet<String> implements SortedSet<String> {
    private final SortedSet<String> names;

    private ImmutableNameSet(SortedSet<String> owned) {
        this.names = Collections.unmodifiableSortedSet(owned);
    }

    static ImmutableNameSet of(Collection<String> names) {
        return names instanceof ImmutableNameSet s ? s : new ImmutableNameSet(new TreeSet<>(names));
    }

    @Override
    public Iterator<String> iterator() {
        return names.iterator();
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public boolean contains(Object o) {
        return names.contains(o);
    }

    @Override
    public Comparator<? super String> comparator() {
        return names.comparator();
    }

    @Override
    public SortedSet<String> subSet(String fromElement, String toElement) {
        return names.subSet(fromElement, toElement);
    }

    @Override
    public SortedSet<String> headSet(String toElement) {
        return names.headSet(toElement);
    }

    @Override
    public SortedSet<String> tailSet(String fromElement) {
        return names.tailSet(fromElement);
    }

    @Override
    public String first() {
        return names.first();
    }

    @Override
    public String last() {
        return names.last();
    }

    // Mutators throw even when they would change nothing, as Collections.unmodifiableSortedSet's do.
    @Override
    public boolean add(String s) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean remove(Object o) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean addAll(Collection<? extends String> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean removeIf(Predicate<? super String> filter) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException();
    }
}
