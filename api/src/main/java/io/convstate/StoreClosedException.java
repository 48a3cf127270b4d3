package io.convstate;

/** A store was used after {@link StateStore#close()}. */
public class StoreClosedException extends StorageException {

  public StoreClosedException(String storeDescription) {
    super("The " + storeDescription + " is closed");
  }
}
