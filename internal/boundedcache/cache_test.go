package boundedcache

import "testing"

func TestAddStartsOverWhenFull(t *testing.T) {
	c := New[int](3)
	c.Add("a", 1)
	c.Add("b", 2)
	c.Add("c", 3)
	c.Add("a", 10) // already cached: neither counted nor replaced

	for key, want := range map[string]int{"a": 1, "b": 2, "c": 3} {
		if got, ok := c.Get(key); !ok || got != want {
			t.Errorf("Get(%q) = %d, %t; want %d, true", key, got, ok, want)
		}
	}

	c.Add("d", 4)
	if _, ok := c.Get("a"); ok {
		t.Error(`Get("a") after the cache filled up: found, want missing`)
	}
	if got, ok := c.Get("d"); !ok || got != 4 {
		t.Errorf(`Get("d") = %d, %t; want 4, true`, got, ok)
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len() = %d, want 1", got)
	}
}

func TestPutReplacesWithoutGrowing(t *testing.T) {
	c := New[int](2)
	c.Put("a", 1)
	c.Put("a", 2)

	if got, ok := c.Get("a"); !ok || got != 2 {
		t.Errorf(`Get("a") = %d, %t; want 2, true`, got, ok)
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len() after two puts of one key = %d, want 1", got)
	}

	c.Put("b", 3)
	c.Put("c", 4)
	if _, ok := c.Get("a"); ok {
		t.Error(`Get("a") after the cache filled up: found, want missing`)
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len() after starting over = %d, want 1", got)
	}
}
